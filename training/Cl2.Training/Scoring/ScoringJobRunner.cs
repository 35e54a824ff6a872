using Cl2.Dicom;
using Cl2.Dicom.Web;
using Cl2.Labeling.Client;
using Cl2.Models;
using Cl2.Models.Checkpoints;
using Cl2.Models.Inference;
using Cl2.Models.Workloads;
using Cl2.Training.Jobs;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace Cl2.Training.Scoring;

/// <summary>
/// Runs the active-learning scoring jobs labeling requests: claims one (exactly one worker gets it, under a lease), loads
/// the job's model version (the production version when it was requested), scores every unlabelled case of the dataset
/// by the job's method on the study's images as inference would read them, puts the cases in k-means clusters of their
/// image embeddings when the job asks, and records the scores in one call. A case whose study cannot be read is left
/// unscored (nextCase hands it out after the scored ones); a job that cannot run fails with the reason. The lease is
/// renewed between cases every third of <see cref="TrainingJobOptions.LeaseSeconds"/>.
/// </summary>
public sealed partial class ScoringJobRunner(
    LabelingClient labeling,
    BlobClient blobs,
    DicomWebClient archive,
    ComputeDevice device,
    ScoringMethods methods,
    IOptions<ScoringJobOptions> options,
    IOptions<TrainingJobOptions> jobOptions,
    ILogger<ScoringJobRunner> logger)
{
    private const string ClaimMutation = """
        mutation ClaimScoringJob($input: ClaimScoringJobInput!) {
          claimScoringJob(input: $input) { id attempt datasetId modelId versionId method clusters }
        }
        """;

    private const string CompleteMutation = "mutation CompleteScoringJob($input: CompleteScoringJobInput!) { completeScoringJob(input: $input) { status caseCount } }";

    private const string RenewMutation = "mutation RenewScoringLease($input: RenewScoringLeaseInput!) { renewScoringLease(input: $input) { leaseExpiresAt } }";

    private const string TaskQuery = "query ScoringModelTask($id: ID!) { model(id: $id) { task } }";

    private const string CasesQuery = """
        query UnlabelledCases($dataset: ID!, $first: Int, $after: String) {
          cases(dataset: $dataset, labelStatus: UNLABELLED, first: $first, after: $after) {
            edges { node { id studyInstanceUid } }
            pageInfo { hasNextPage endCursor }
          }
        }
        """;

    /// <returns>Whether a job was waiting (and has now been run), so the caller asks again at once rather than waiting.</returns>
    public async Task<bool> RunNextAsync(string worker, CancellationToken cancellationToken)
    {
        ScoringJobClaim? job;
        try
        {
            job = (await labeling.QueryAsync<ClaimData>(ClaimMutation, new { input = new { worker, leaseSeconds = jobOptions.Value.LeaseSeconds } },
                cancellationToken)).ClaimScoringJob;
        }
        catch (Exception exception) when (exception is HttpRequestException or LabelingApiException or TaskCanceledException
            && !cancellationToken.IsCancellationRequested)
        {
            LogClaimFailed(logger, exception.Message);
            return false;
        }
        if (job is null)
        {
            return false;
        }
        LogClaimed(logger, job.Id, job.Method, job.VersionId, job.DatasetId);
        object input;
        try
        {
            var scores = await ScoreAsync(job, cancellationToken);
            input = new { jobId = job.Id, attempt = job.Attempt, scores };
            LogScored(logger, job.Id, scores.Count);
        }
        catch (Exception exception) when (exception is InvalidOperationException or WorkloadException or HttpRequestException or LabelingApiException
            or InvalidDataException or DicomWebException or IOException)
        {
            LogFailed(logger, job.Id, exception.Message);
            input = new { jobId = job.Id, attempt = job.Attempt, failureReason = exception.Message };
        }
        try
        {
            await labeling.QueryAsync<CompleteData>(CompleteMutation, new { input }, cancellationToken);
        }
        catch (Exception exception) when (exception is HttpRequestException or LabelingApiException && !cancellationToken.IsCancellationRequested)
        {
            // The lease runs out and another worker scores the dataset again.
            LogCompleteFailed(logger, job.Id, exception.Message);
        }
        return true;
    }

    private async Task<List<CaseScore>> ScoreAsync(ScoringJobClaim job, CancellationToken cancellationToken)
    {
        var method = methods.Find(job.Method);
        var task = (await labeling.QueryAsync<ModelData>(TaskQuery, new { id = job.ModelId }, cancellationToken)).Model?.Task
            ?? throw new InvalidOperationException($"Model {job.ModelId} is not known to labeling.");
        var workload = WorkloadRegistry.For(WorkloadTasks.Parse(task));
        var folder = Path.Combine(jobOptions.Value.ResolvedWorkDirectory, $"scoring-{job.Id:N}-{job.Attempt}");
        try
        {
            Directory.CreateDirectory(folder);
            var tar = folder + ".tar";
            await blobs.DownloadAsync(await labeling.ArtifactDigestAsync(job.VersionId, cancellationToken), tar, cancellationToken);
            CheckpointArchive.Unpack(tar, folder);
            File.Delete(tar);
            using var runner = await WorkloadRunner.LoadAsync(workload, folder, device, cancellationToken);
            var scored = new List<(Guid CaseId, double Value, double[] Embedding)>();
            var leaseSeconds = jobOptions.Value.LeaseSeconds;
            var sinceRenewal = System.Diagnostics.Stopwatch.StartNew();
            await foreach (var (caseId, study) in UnlabelledCasesAsync(job.DatasetId, cancellationToken))
            {
                // A third of the lease, as training's heartbeat: a lost lease (another worker took the job) ends the scoring here.
                if (sinceRenewal.Elapsed > TimeSpan.FromSeconds(leaseSeconds / 3.0))
                {
                    await labeling.QueryAsync<object>(RenewMutation, new { input = new { jobId = job.Id, attempt = job.Attempt, leaseSeconds } }, cancellationToken);
                    sinceRenewal.Restart();
                }
                try
                {
                    var files = new List<DicomFile>();
                    await foreach (var part in archive.RetrieveAsync(study, cancellationToken: cancellationToken))
                    {
                        files.Add(DicomFile.Open(new MemoryStream(part)));
                    }
                    using var scope = NewDisposeScope();
                    var input = runner.Input(files);
                    var value = method.Score(runner.Network, runner.Forward, input);
                    scored.Add((caseId, value, job.Clusters > 0 ? ImageEmbedding.Of(input) : []));
                }
                catch (Exception exception) when (exception is WorkloadException or DicomWebException or DicomFormatException)
                {
                    LogCaseSkipped(logger, caseId, study, exception.Message);
                }
            }
            var clusters = job.Clusters > 0 ? KMeans.Cluster([.. scored.Select(entry => entry.Embedding)], job.Clusters, job.Id.GetHashCode()) : null;
            return [.. scored.Select((entry, index) => new CaseScore(entry.CaseId, entry.Value, clusters?[index]))];
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private async IAsyncEnumerable<(Guid CaseId, string StudyInstanceUid)> UnlabelledCasesAsync(Guid datasetId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? after = null;
        while (true)
        {
            var page = (await labeling.QueryAsync<CasesData>(CasesQuery, new { dataset = datasetId, first = options.Value.CasesPerPage, after },
                cancellationToken)).Cases;
            foreach (var edge in page.Edges)
            {
                yield return (edge.Node.Id, edge.Node.StudyInstanceUid);
            }
            if (!page.PageInfo.HasNextPage || page.PageInfo.EndCursor is null)
            {
                yield break;
            }
            after = page.PageInfo.EndCursor;
        }
    }

    private sealed record ScoringJobClaim(Guid Id, int Attempt, Guid DatasetId, Guid ModelId, Guid VersionId, string Method, int Clusters);

    private sealed record ClaimData(ScoringJobClaim? ClaimScoringJob);

    private sealed record CompleteData(CompletedJob CompleteScoringJob);

    private sealed record CompletedJob(string Status, int? CaseCount);

    private sealed record ModelData(ModelTask? Model);

    private sealed record ModelTask(string Task);

    private sealed record CasesData(CaseConnection Cases);

    private sealed record CaseConnection(IReadOnlyList<CaseEdge> Edges, PageInfo PageInfo);

    private sealed record CaseEdge(CaseNode Node);

    private sealed record CaseNode(Guid Id, string StudyInstanceUid);

    private sealed record PageInfo(bool HasNextPage, string? EndCursor);

    /// <summary>One case's score as completeScoringJob takes it; the cluster is left out when the job asked for none.</summary>
    private sealed record CaseScore(Guid CaseId, double Value, int? Cluster);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claimed scoring job {JobId}: {Method} with version {VersionId} on dataset {DatasetId}")]
    private static partial void LogClaimed(ILogger logger, Guid jobId, string method, Guid versionId, Guid datasetId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scoring job {JobId} scored {Count} cases")]
    private static partial void LogScored(ILogger logger, Guid jobId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Case {CaseId} (study {Study}) left unscored: {Reason}")]
    private static partial void LogCaseSkipped(ILogger logger, Guid caseId, string study, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scoring job {JobId} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, Guid jobId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not claim a scoring job, trying again later: {Reason}")]
    private static partial void LogClaimFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record scoring job {JobId}'s outcome; its lease will run out and it is scored again: {Reason}")]
    private static partial void LogCompleteFailed(ILogger logger, Guid jobId, string reason);
}
