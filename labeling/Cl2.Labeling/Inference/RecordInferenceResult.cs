using Cl2.Labeling.Cases;
using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Models;
using Cl2.Labeling.Routing;
using GraphQL;
using GraphQL.Types;
using Marten.Exceptions;

namespace Cl2.Labeling.Inference;

/// <summary>
/// Inference reports what it did with a study: a model version (none for <c>pass-through</c>) wrote results (DICOM SEG /
/// SR instances, named by their SOP Instance UIDs), or, with <see cref="Failure"/>, nothing was written and
/// <see cref="FailureReason"/> says why. <see cref="Routing"/> is the decision that chose the workload and
/// <see cref="Stages"/> the time each stage took. <see cref="ResultId"/> is the caller's idempotency key: recording is
/// at least once (a response can be lost after the commit), so a retry with the same id returns the result recorded the
/// first time instead of appending a second one.
/// </summary>
public sealed record RecordInferenceResult(
    string StudyInstanceUid,
    Guid? ModelVersionId,
    string Pipeline,
    IReadOnlyList<string> ResultUids,
    double DurationMs,
    InferenceFailure? Failure = null,
    string? FailureReason = null,
    RoutingDecision? Routing = null,
    IReadOnlyList<StageTiming>? Stages = null,
    Guid? ResultId = null)
{
    public const int MaxExplanationLines = 1000;
    public const int MaxTextLength = 4000;

    public static InferenceCompleted Decide(ModelVersion? version, RecordInferenceResult command, Guid resultId, string by, DateTimeOffset now)
    {
        if (command.ModelVersionId is { } versionId && version is null)
        {
            throw DomainException.NotFound(ErrorCodes.ModelVersionNotFound, "Model version", versionId);
        }
        if (command.ResultUids.Prepend(command.StudyInstanceUid).FirstOrDefault(uid => !AddCases.IsUid(uid)) is { } invalid)
        {
            throw DomainException.Invalid($"'{invalid}' is not a DICOM UID (digits and dots, at most 64 characters).");
        }
        if (string.IsNullOrWhiteSpace(command.Pipeline))
        {
            throw DomainException.Invalid("pipeline names the workload that ran (e.g. \"brain-mri\", or \"pass-through\").");
        }
        if (!IsDuration(command.DurationMs))
        {
            throw DomainException.Invalid("durationMs is a finite number, 0 or more.");
        }
        var pipeline = command.Pipeline.Trim();
        var failureReason = command.FailureReason?.Trim();
        if (command.Failure is { } failure)
        {
            if (string.IsNullOrEmpty(failureReason) || failureReason.Length > MaxTextLength)
            {
                throw DomainException.Invalid($"A {failure} outcome says why in failureReason (1 to {MaxTextLength} characters), so a person can act on it.");
            }
            if (command.ResultUids.Count > 0)
            {
                throw DomainException.Invalid("An outcome with a failure wrote no result: resultUids is empty.");
            }
            if (failure == InferenceFailure.NoRuleMatched && command.Routing?.RuleId is not null)
            {
                throw DomainException.Invalid("NO_RULE_MATCHED names no rule in routing.ruleId.");
            }
        }
        else
        {
            if (failureReason is { Length: > 0 })
            {
                throw DomainException.Invalid("failureReason goes with a failure; a result without one has none.");
            }
            if (pipeline == RoutingTable.PassThrough ? command.ModelVersionId is not null : command.ModelVersionId is null)
            {
                throw DomainException.Invalid($"A result names the model version that made it (modelVersionId), except a {RoutingTable.PassThrough} result, which ran none.");
            }
        }
        if (command.Routing is { } routing && (routing.TableVersion < 0 || routing.Explanation.Count > MaxExplanationLines
            || routing.Explanation.Any(line => line.Length > MaxTextLength) || (routing.RuleId is null) != (routing.RuleName is null)))
        {
            throw DomainException.Invalid($"routing has a table version (0 or more), a rule id with its name (or neither), and at most {MaxExplanationLines} explanation lines of at most {MaxTextLength} characters.");
        }
        var stages = command.Stages ?? [];
        if (stages.Any(stage => !IsDuration(stage.DurationMs)) || stages.DistinctBy(stage => stage.Stage).Count() != stages.Count)
        {
            throw DomainException.Invalid("stages names each stage at most once, with a finite durationMs of 0 or more.");
        }
        return new InferenceCompleted(resultId, command.StudyInstanceUid, version?.ModelId, version?.Id, pipeline, [.. command.ResultUids], command.DurationMs,
            by, now, command.Failure, command.Failure is null ? null : failureReason, command.Routing, [.. stages.OrderBy(stage => stage.Stage)]);
    }

    /// <summary>
    /// A retry of an outcome already recorded under its <see cref="ResultId"/>: the recorded result when it is the same
    /// outcome (study, model version, pipeline, failure); another outcome under the same id is refused, nothing changes.
    /// </summary>
    public static InferenceResult Replay(InferenceResult recorded, RecordInferenceResult command)
    {
        if (recorded.StudyInstanceUid == command.StudyInstanceUid && recorded.VersionId == command.ModelVersionId
            && recorded.Pipeline == command.Pipeline.Trim() && recorded.Failure == command.Failure)
        {
            return recorded;
        }
        throw new DomainException(ErrorCodes.InferenceResultIdTaken,
            $"resultId {recorded.Id} already records another outcome (study {recorded.StudyInstanceUid}, pipeline {recorded.Pipeline}" +
            $"{(recorded.Failure is { } failure ? $", {failure}" : "")}). A retry sends the same outcome with the same resultId; a new outcome needs a new resultId.");
    }

    private static bool IsDuration(double milliseconds) => double.IsFinite(milliseconds) && milliseconds >= 0;

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<InferenceResultGraphType>, InferenceResult>("recordInferenceResult")
        .AuthorizeWithRoles(Roles.Service)
        .Argument<NonNullGraphType<RecordInferenceResultInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<RecordInferenceResult>("input");
            var cancellationToken = context.CancellationToken;
            if (command.ResultId == Guid.Empty)
            {
                throw DomainException.Invalid("resultId is a new id for each outcome (a UUID, not all zeros), sent again unchanged on a retry.");
            }
            await using var query = context.Store().QuerySession();
            if (command.ResultId is { } key && await query.LoadAsync<InferenceResult>(key, cancellationToken) is { } recorded)
            {
                return Replay(recorded, command);
            }
            var version = command.ModelVersionId is { } versionId ? await ModelQueries.FindVersionAsync(query, versionId, cancellationToken) : null;
            var completed = Decide(version, command, command.ResultId ?? Guid.CreateVersion7(), context.Actor(), context.Now());
            try
            {
                await StreamDecision.StartAsync<InferenceResult>(context.Store(), completed.ResultId, completed, cancellationToken);
            }
            catch (ExistingStreamIdCollisionException) when (command.ResultId is not null)
            {
                // The same key's first attempt committed in between (a client retrying before its first call had answered).
                await using var reader = context.Store().QuerySession();
                return Replay((await reader.LoadAsync<InferenceResult>(completed.ResultId, cancellationToken))!, command);
            }
            return InferenceResult.Create(completed) with { Version = 1 };
        });
}

public sealed class RecordInferenceResultInputType : AutoRegisteringInputObjectGraphType<RecordInferenceResult>
{
    public RecordInferenceResultInputType() => Name = "RecordInferenceResultInput";
}

public sealed class RoutingDecisionInputType : AutoRegisteringInputObjectGraphType<RoutingDecision>
{
    public RoutingDecisionInputType() => Name = "RoutingDecisionInput";
}

public sealed class StageTimingInputType : AutoRegisteringInputObjectGraphType<StageTiming>
{
    public StageTimingInputType() => Name = "StageTimingInput";
}

public sealed class InferenceFailureGraphType : EnumerationGraphType<InferenceFailure>
{
    public InferenceFailureGraphType() => Name = "InferenceFailure";
}

public sealed class InferenceStageGraphType : EnumerationGraphType<InferenceStage>
{
    public InferenceStageGraphType() => Name = "InferenceStage";
}
