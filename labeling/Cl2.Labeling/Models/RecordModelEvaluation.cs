using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Models;

/// <summary>
/// The worker's evaluation of a candidate beside the production version it names (<see cref="ProductionVersionId"/>,
/// evaluated on the same cases). With a gate on the model the gate decides at once: a regression beyond the margin
/// rejects the candidate with the reason (production stays); a pass promotes it when the gate auto-promotes, and
/// otherwise leaves it for an ML engineer to promote.
/// </summary>
public sealed record RecordModelEvaluation(Guid ModelId, Guid VersionId, Guid? ProductionVersionId, IReadOnlyList<EvaluationSet> Sets, IReadOnlyList<Guid>? FeedbackIds)
{
    public const string GateActor = "evaluation-gate";

    public static IReadOnlyList<object> Decide(Model? model, RecordModelEvaluation command, string by, DateTimeOffset now)
    {
        if (model is null)
        {
            throw DomainException.NotFound(ErrorCodes.ModelNotFound, "Model", command.ModelId);
        }
        var version = model.FindVersion(command.VersionId)
            ?? throw DomainException.NotFound(ErrorCodes.ModelVersionNotFound, "Model version", command.VersionId);
        if (version.Stage is not ModelStage.Candidate)
        {
            throw new DomainException(ErrorCodes.ModelStageInvalid, $"Version {version.Number} is {version.Stage}: only a candidate is evaluated for promotion.");
        }
        if (command.ProductionVersionId != model.ProductionVersionId)
        {
            throw new DomainException(ErrorCodes.EvaluationBaselineStale,
                $"The evaluation compares with version {command.ProductionVersionId?.ToString() ?? "none"}, but production is " +
                $"{model.ProductionVersionId?.ToString() ?? "none"} now: evaluate again against the current production version.");
        }
        Validate(command.Sets);
        var failure = model.Gate?.Judge(command.Sets);
        var evaluated = new ModelVersionEvaluated(model.Id, version.Id, model.ProductionVersionId, command.Sets,
            [.. (command.FeedbackIds ?? []).Distinct()], failure, by, now);
        return (model.Gate, failure) switch
        {
            (null, _) => [evaluated],
            (_, { } reason) => [evaluated, new ModelVersionRejected(model.Id, version.Id, reason, GateActor, now)],
            ({ AutoPromote: true }, null) => [evaluated, new ModelVersionPromoted(model.Id, version.Id, model.ProductionVersionId, GateActor, now)],
            _ => [evaluated],
        };
    }

    /// <summary>With a gate on the model, a version is promoted only when its evaluation against the version in
    /// production now passes the gate as it is set now.</summary>
    public static void RequirePassed(Model model, ModelVersion version)
    {
        if (model.Gate is not { } gate)
        {
            return;
        }
        var why = version.Evaluation switch
        {
            null => "it has not been evaluated yet (the training worker evaluates each candidate and records it with recordModelEvaluation)",
            { ProductionVersionId: var baseline } when baseline != model.ProductionVersionId =>
                "production changed since it was evaluated; evaluate it again against the current production version",
            { Sets: var sets } => gate.Judge(sets),
        };
        if (why is not null)
        {
            throw new DomainException(ErrorCodes.GateNotPassed,
                $"Version {version.Number} has not passed the evaluation gate of model '{model.Name}': {why}");
        }
    }

    private static void Validate(IReadOnlyList<EvaluationSet> sets)
    {
        if (sets.Count == 0 || sets.Select(set => set.Split).Distinct().Count() != sets.Count)
        {
            throw DomainException.Invalid("sets lists each evaluation split (TEST, FEEDBACK) at most once, and at least one.");
        }
        foreach (var set in sets)
        {
            if (string.IsNullOrWhiteSpace(set.Metric) || set.CaseCount < 0 || !double.IsFinite(set.Candidate)
                || set.Production is { } production && !double.IsFinite(production))
            {
                throw DomainException.Invalid($"The {set.Split} set needs a metric name, a case count of 0 or more and finite values.");
            }
        }
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<ModelVersionGraphType>, ModelVersion>("recordModelEvaluation")
        .Description("The worker's evaluation of a candidate beside production; with a gate on the model it rejects, promotes or waits for an ML engineer.")
        .AuthorizeWithRoles(Roles.Service, Roles.MlEngineer)
        .Argument<NonNullGraphType<RecordModelEvaluationInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<RecordModelEvaluation>("input");
            var model = await StreamDecision.DecideAsync<Model>(context.Store(), command.ModelId,
                current => Decide(current, command, context.Actor(), context.Now()), context.CancellationToken);
            return model!.FindVersion(command.VersionId);
        });
}

public sealed class EvaluationSplitGraphType : EnumerationGraphType<EvaluationSplit>
{
    public EvaluationSplitGraphType() => Name = "EvaluationSplit";
}

public sealed class EvaluationSetInputType : AutoRegisteringInputObjectGraphType<EvaluationSet>
{
    public EvaluationSetInputType() => Name = "EvaluationSetInput";
}

public sealed class RecordModelEvaluationInputType : AutoRegisteringInputObjectGraphType<RecordModelEvaluation>
{
    public RecordModelEvaluationInputType() => Name = "RecordModelEvaluationInput";
}
