using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Models;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Training;

/// <summary>Ask for a model to be (re)trained, e.g. by a retraining policy after N corrections, or by an ML engineer.</summary>
public sealed record RequestTraining(Guid ModelId, Guid? BaseVersionId, Guid? DatasetId, string Trigger, TrainingRecipe? Recipe = null)
{
    public const int MaxTriggerLength = 500;

    public static TrainingRequested Decide(Model? model, bool datasetExists, RequestTraining command, Guid jobId, string by, DateTimeOffset now)
    {
        if (model is null)
        {
            throw DomainException.NotFound(ErrorCodes.ModelNotFound, "Model", command.ModelId);
        }
        if (command.BaseVersionId is { } baseVersion && model.FindVersion(baseVersion) is null)
        {
            throw DomainException.NotFound(ErrorCodes.ModelVersionNotFound, "Base version", baseVersion);
        }
        if (command.DatasetId is { } datasetId && !datasetExists)
        {
            throw DomainException.NotFound(ErrorCodes.DatasetNotFound, "Dataset", datasetId);
        }
        var trigger = command.Trigger.Trim();
        if (trigger.Length is 0 or > MaxTriggerLength)
        {
            throw DomainException.Invalid($"trigger says why training was asked for (1 to {MaxTriggerLength} characters), e.g. \"20 corrections\".");
        }
        TrainingRecipe.Validate(command.Recipe);
        // Without an explicit base, fine-tune from what is in production now (docs/architecture.md, step 6 of the loop).
        return new TrainingRequested(jobId, model.Id, command.BaseVersionId ?? model.ProductionVersionId, command.DatasetId, trigger, by, now,
            command.Recipe);
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<TrainingJobGraphType>, TrainingJob>("requestTraining")
        .AuthorizeWithRoles(Roles.MlEngineer, Roles.Service)
        .Argument<NonNullGraphType<RequestTrainingInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<RequestTraining>("input");
            var cancellationToken = context.CancellationToken;
            await using var query = context.Store().QuerySession();
            var model = await query.LoadAsync<Model>(command.ModelId, cancellationToken);
            var datasetExists = command.DatasetId is { } datasetId
                && await query.Query<Datasets.Dataset>().AnyAsync(dataset => dataset.Id == datasetId, cancellationToken);
            // The data cut: the job trains on what was recorded up to now, so its training set can be read again later.
            var decided = Decide(model, datasetExists, command, Guid.CreateVersion7(), context.Actor(), context.Now());
            var requested = decided with { DataCut = await query.Database.FetchHighestEventSequenceNumber(cancellationToken) };
            await StreamDecision.StartAsync<TrainingJob>(context.Store(), requested.JobId, requested, cancellationToken);
            return TrainingJob.Create(requested) with { Version = 1 };
        });
}

public sealed class RequestTrainingInputType : AutoRegisteringInputObjectGraphType<RequestTraining>
{
    public RequestTrainingInputType() => Name = "RequestTrainingInput";
}
