using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Models;

/// <summary>
/// Withdraw a model registered by mistake (a wrong task or name) before it has any version; its name is free again for
/// registerModel. A model with versions stays: their lineage and every inference result point at it (retire the
/// versions instead).
/// </summary>
public sealed record DeleteModel(Guid ModelId, int ExpectedVersion)
{
    public static ModelDeleted Decide(Model? model, DeleteModel command, string by, DateTimeOffset now)
    {
        if (model is null)
        {
            throw DomainException.NotFound(ErrorCodes.ModelNotFound, "Model", command.ModelId);
        }
        ModelConcurrency.Require(model, command.ExpectedVersion);
        if (model.Versions.Count > 0)
        {
            throw new DomainException(ErrorCodes.ModelHasVersions,
                $"Model '{model.Name}' has {model.Versions.Count} version(s), which name it in their lineage: retire them instead, and register a new model for the right task.");
        }
        return new ModelDeleted(model.Id, model.Name, by, now);
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<IdGraphType>, Guid>("deleteModel")
        .Description("Deletes a model that has no version yet (registered with a wrong task or name) and returns its id.")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Argument<NonNullGraphType<DeleteModelInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<DeleteModel>("input");
            await StreamDecision.DecideAsync(context.Store(), command.ModelId, ModelConcurrency.Expected(command.ModelId, command.ExpectedVersion),
                model => [Decide(model, command, context.Actor(), context.Now())], context.CancellationToken);
            return command.ModelId;
        });
}

public sealed class DeleteModelInputType : AutoRegisteringInputObjectGraphType<DeleteModel>
{
    public DeleteModelInputType() => Name = "DeleteModelInput";
}
