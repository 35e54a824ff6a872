using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Models;

/// <summary>
/// Withdraw the production version and put the one it replaced back into production. <see cref="Reason"/> is optional:
/// why, for the production timeline (<see cref="StatedReason"/>).
/// </summary>
public sealed record RollbackModel(Guid ModelId, int ExpectedVersion, string? Reason = null)
{
    public static ModelVersionRolledBack Decide(Model? model, RollbackModel command, string by, DateTimeOffset now)
    {
        if (model is null)
        {
            throw DomainException.NotFound(ErrorCodes.ModelNotFound, "Model", command.ModelId);
        }
        ModelConcurrency.Require(model, command.ExpectedVersion);
        var reason = StatedReason.Of(command.Reason);
        if (model.ProductionHistory.Count < 2)
        {
            throw new DomainException(ErrorCodes.NothingToRollBackTo,
                $"Model '{model.Name}' has no earlier production version to roll back to.");
        }
        return new ModelVersionRolledBack(model.Id, model.ProductionHistory[^1], model.ProductionHistory[^2], by, now, reason);
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<ModelGraphType>, Model>("rollbackModel")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Argument<NonNullGraphType<RollbackModelInputType>>("input")
        .ResolveAsync(context =>
        {
            var command = context.GetArgument<RollbackModel>("input");
            return StreamDecision.DecideAsync(context.Store(), command.ModelId, ModelConcurrency.Expected(command.ModelId, command.ExpectedVersion),
                model => [Decide(model, command, context.Actor(), context.Now())], context.CancellationToken);
        });
}

public sealed class RollbackModelInputType : AutoRegisteringInputObjectGraphType<RollbackModel>
{
    public RollbackModelInputType() => Name = "RollbackModelInput";
}
