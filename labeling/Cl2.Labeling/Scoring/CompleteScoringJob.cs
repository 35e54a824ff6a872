using Cl2.Labeling.Cases;
using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;
using Marten;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Scoring;

/// <summary>One case's score from a scoring job; <see cref="Cluster"/> only when the job asked for clusters.</summary>
public sealed record CaseScoreInput(Guid CaseId, double Value, int? Cluster);

/// <summary>
/// The holder of a scoring job finishes it: with the score of every unlabelled case it scored (each becomes a
/// <see cref="CaseScored"/> on its case, in the same commit as the job's success), or failed with a reason a person can
/// act on. A score for a case no longer in the job's dataset (removed meanwhile) is left out.
/// </summary>
public sealed record CompleteScoringJob(Guid JobId, int Attempt, IReadOnlyList<CaseScoreInput>? Scores, string? FailureReason)
{
    public const int MaxReasonLength = 4000;

    public static (IReadOnlyList<object> Appended, IReadOnlyList<(Guid StreamId, object Event)> Elsewhere) Decide(
        ScoringJob? job, IReadOnlySet<Guid> datasetCases, CompleteScoringJob command, int maxScores, string by, DateTimeOffset now)
    {
        RequireHolder(job, command.JobId, command.Attempt);
        if (command.FailureReason is { } failure)
        {
            var reason = failure.Trim();
            if (reason.Length is 0 or > MaxReasonLength)
            {
                throw DomainException.Invalid($"A failed scoring job says why in failureReason (1 to {MaxReasonLength} characters).");
            }
            return ([new ScoringFailed(job!.Id, command.Attempt, reason, by, now)], []);
        }
        var scores = command.Scores ?? [];
        if (scores.Count > maxScores)
        {
            throw DomainException.Invalid($"A scoring job records at most {maxScores} scores (Scoring:MaxScoresPerJob); it sent {scores.Count}.");
        }
        if (scores.FirstOrDefault(score => !double.IsFinite(score.Value)) is { } notFinite)
        {
            throw DomainException.Invalid($"The score of case {notFinite.CaseId} is {notFinite.Value}; a score is a finite number.");
        }
        if (scores.GroupBy(score => score.CaseId).FirstOrDefault(group => group.Count() > 1) is { } twice)
        {
            throw DomainException.Invalid($"Case {twice.Key} is scored {twice.Count()} times; send one score per case.");
        }
        if (scores.FirstOrDefault(score => job!.Clusters == 0 ? score.Cluster is not null : score.Cluster is not { } cluster || cluster < 0 || cluster >= job.Clusters)
            is { } badCluster)
        {
            throw DomainException.Invalid(job!.Clusters == 0
                ? $"Scoring job {job.Id} asked for no clusters; case {badCluster.CaseId}'s score names cluster {badCluster.Cluster}."
                : $"Scoring job {job.Id} puts every case in one of {job.Clusters} clusters (0 to {job.Clusters - 1}); case {badCluster.CaseId}'s is {badCluster.Cluster?.ToString() ?? "missing"}.");
        }
        var recorded = scores.Where(score => datasetCases.Contains(score.CaseId))
            .Select(score => (score.CaseId, (object)new CaseScored(score.CaseId, job!.DatasetId, job.Id, job.VersionId, job.Method, score.Value, score.Cluster, by, now)))
            .ToList();
        return ([new ScoringSucceeded(job!.Id, command.Attempt, recorded.Count, by, now)], recorded);
    }

    /// <summary>Only the current claim may finish a running job.</summary>
    public static void RequireHolder(ScoringJob? job, Guid jobId, int attempt)
    {
        if (job is null)
        {
            throw DomainException.NotFound(ErrorCodes.ScoringJobNotFound, "Scoring job", jobId);
        }
        if (job.Status != ScoringStatus.Running)
        {
            throw new DomainException(ErrorCodes.ScoringJobNotRunning, $"Scoring job {job.Id} is {job.Status}, not running: claim a job first.");
        }
        if (job.Attempt != attempt)
        {
            throw new DomainException(ErrorCodes.ScoringLeaseLost,
                $"Scoring job {job.Id} was claimed again (attempt {job.Attempt}) after your lease (attempt {attempt}) ran out: drop its scores, and claim another job.");
        }
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<ScoringJobGraphType>, ScoringJob>("completeScoringJob")
        .AuthorizeWithRoles(Roles.Service, Roles.MlEngineer)
        .Argument<NonNullGraphType<CompleteScoringJobInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<CompleteScoringJob>("input");
            var maxScores = context.RequestServices!.GetRequiredService<IOptions<ScoringOptions>>().Value.MaxScoresPerJob;
            var store = context.Store();
            var ids = (command.Scores ?? []).Select(score => score.CaseId).Distinct().ToArray();
            await StreamDecision.DecideAndAppendAsync<ScoringJob, IReadOnlySet<Guid>>(store, command.JobId,
                async (session, cancellationToken) =>
                {
                    IReadOnlyList<Case> cases = ids.Length == 0 ? [] : await session.LoadManyAsync<Case>(cancellationToken, ids);
                    var job = await session.LoadAsync<ScoringJob>(command.JobId, cancellationToken);
                    return cases.Where(@case => @case.DatasetId == job?.DatasetId).Select(@case => @case.Id).ToHashSet();
                },
                (job, datasetCases) => Decide(job, datasetCases, command, maxScores, context.Actor(), context.Now()),
                context.CancellationToken);
            await using var reader = store.QuerySession();
            return (await reader.LoadAsync<ScoringJob>(command.JobId, context.CancellationToken))!;
        });
}

public sealed class CaseScoreInputType : AutoRegisteringInputObjectGraphType<CaseScoreInput>
{
    public CaseScoreInputType() => Name = "CaseScoreInput";
}

public sealed class CompleteScoringJobInputType : AutoRegisteringInputObjectGraphType<CompleteScoringJob>
{
    public CompleteScoringJobInputType() => Name = "CompleteScoringJobInput";
}
