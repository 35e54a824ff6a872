using Cl2.Labeling.Database;
using Cl2.Labeling.Datasets;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Models;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Retraining;

/// <summary>
/// Set when a model is retrained by itself: after <see cref="NewLabelThreshold"/> new approved labels of
/// <see cref="DatasetId"/> or corrections of the model's results, and/or every <see cref="ScheduleMinutes"/> when
/// anything new arrived. Both null turns the policy off. Each change is an event with who and when.
/// </summary>
public sealed record SetRetrainingPolicy(Guid ModelId, Guid DatasetId, int? NewLabelThreshold, int? ScheduleMinutes)
{
    public const int MaxNewLabelThreshold = 1_000_000;
    public const int MaxScheduleMinutes = 366 * 24 * 60;

    public static IReadOnlyList<object> Decide(RetrainingPolicy? current, Model? model, bool datasetExists, SetRetrainingPolicy command,
        string by, DateTimeOffset now)
    {
        if (model is null)
        {
            throw DomainException.NotFound(ErrorCodes.ModelNotFound, "Model", command.ModelId);
        }
        if (!datasetExists)
        {
            throw DomainException.NotFound(ErrorCodes.DatasetNotFound, "Dataset", command.DatasetId);
        }
        if (command.NewLabelThreshold is < 1 or > MaxNewLabelThreshold)
        {
            throw DomainException.Invalid($"newLabelThreshold is 1 to {MaxNewLabelThreshold} new labels or corrections (null: no count trigger).");
        }
        if (command.ScheduleMinutes is < 1 or > MaxScheduleMinutes)
        {
            throw DomainException.Invalid($"scheduleMinutes is 1 to {MaxScheduleMinutes} (null: no schedule).");
        }
        if (current is not null && current.DatasetId == command.DatasetId && current.NewLabelThreshold == command.NewLabelThreshold
            && current.ScheduleMinutes == command.ScheduleMinutes)
        {
            return [];
        }
        return [new RetrainingPolicySet(RetrainingPolicy.StreamIdOf(model.Id), model.Id, command.DatasetId, command.NewLabelThreshold,
            command.ScheduleMinutes, by, now)];
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<RetrainingPolicyGraphType>, RetrainingPolicy>("setRetrainingPolicy")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Argument<NonNullGraphType<SetRetrainingPolicyInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<SetRetrainingPolicy>("input");
            var cancellationToken = context.CancellationToken;
            Model? model;
            bool datasetExists;
            await using (var query = context.Store().QuerySession())
            {
                model = await query.LoadAsync<Model>(command.ModelId, cancellationToken);
                datasetExists = await query.Query<Dataset>().AnyAsync(dataset => dataset.Id == command.DatasetId, cancellationToken);
            }
            var policyId = RetrainingPolicy.StreamIdOf(command.ModelId);
            await StreamDecision.DecideAsync<RetrainingPolicy>(context.Store(), policyId,
                current => Decide(current, model, datasetExists, command, context.Actor(), context.Now()), cancellationToken);
            // Labels may already have reached the new threshold.
            await RetrainingTrigger.CheckAsync(context.Store(), RetrainingTrigger.ArchiveOf(context.RequestServices!), command.ModelId, context.Now(), cancellationToken);
            await using var reader = context.Store().QuerySession();
            return await reader.LoadAsync<RetrainingPolicy>(policyId, cancellationToken);
        });
}

public sealed class SetRetrainingPolicyInputType : AutoRegisteringInputObjectGraphType<SetRetrainingPolicy>
{
    public SetRetrainingPolicyInputType() => Name = "SetRetrainingPolicyInput";
}
