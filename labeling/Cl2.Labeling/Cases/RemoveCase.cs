using Cl2.Labeling.Database;
using Cl2.Labeling.Datasets;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Cases;

/// <summary>
/// Take a case out of its dataset (a study added by mistake). Its history stays in the event store; the dataset no
/// longer lists or counts it, nextCase no longer hands it out, and the study can be added again. A case in a fixed
/// split stays: the held-out cases every model of the dataset was evaluated on must not change.
/// </summary>
public sealed record RemoveCase(Guid CaseId)
{
    public static CaseRemoved Decide(Case? current, Dataset? dataset, RemoveCase command, string by, DateTimeOffset now)
    {
        if (current is null)
        {
            throw DomainException.NotFound(ErrorCodes.CaseNotFound, "Case", command.CaseId);
        }
        if (dataset?.Split is { } split && split.TrainCaseIds.Concat(split.ValidationCaseIds).Concat(split.TestCaseIds).Contains(current.Id))
        {
            throw new DomainException(ErrorCodes.CaseInFixedSplit,
                $"Case {current.Id} is in the fixed split of dataset '{dataset.Name}', which does not change: create a new dataset without it instead.");
        }
        return new CaseRemoved(current.Id, current.DatasetId, current.StudyInstanceUid, by, now);
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<IdGraphType>, Guid>("removeCase")
        .Description("Takes a case out of its dataset and returns its id; a case in a fixed split stays (CASE_IN_FIXED_SPLIT).")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Argument<NonNullGraphType<RemoveCaseInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<RemoveCase>("input");
            var cancellationToken = context.CancellationToken;
            Dataset? dataset = null;
            await using (var query = context.Store().QuerySession())
            {
                if (await query.LoadAsync<Case>(command.CaseId, cancellationToken) is { } found)
                {
                    dataset = await query.LoadAsync<Dataset>(found.DatasetId, cancellationToken);
                }
            }
            await StreamDecision.DecideAsync<Case>(context.Store(), command.CaseId,
                current => [Decide(current, dataset, command, context.Actor(), context.Now())], cancellationToken);
            return command.CaseId;
        });
}

public sealed class RemoveCaseInputType : AutoRegisteringInputObjectGraphType<RemoveCase>
{
    public RemoveCaseInputType() => Name = "RemoveCaseInput";
}
