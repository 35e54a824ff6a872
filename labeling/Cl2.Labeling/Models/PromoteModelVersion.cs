using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Models;

/// <summary>
/// Put a version into production. <see cref="ExpectedVersion"/> is the model's version the caller decided on: if anyone
/// changed the model since (another promotion, a rollback), the promotion is refused with MODEL_VERSION_CONFLICT.
/// <see cref="Reason"/> is optional: why, for the production timeline (<see cref="StatedReason"/>).
/// </summary>
public sealed record PromoteModelVersion(Guid ModelId, Guid VersionId, int ExpectedVersion, string? Reason = null)
{
    public static ModelVersionPromoted Decide(Model? model, PromoteModelVersion command, string by, DateTimeOffset now)
    {
        if (model is null)
        {
            throw DomainException.NotFound(ErrorCodes.ModelNotFound, "Model", command.ModelId);
        }
        ModelConcurrency.Require(model, command.ExpectedVersion);
        var reason = StatedReason.Of(command.Reason);
        var version = model.FindVersion(command.VersionId)
            ?? throw DomainException.NotFound(ErrorCodes.ModelVersionNotFound, "Model version", command.VersionId);
        if (version.Stage is ModelStage.Production or ModelStage.Retired or ModelStage.Rejected)
        {
            throw new DomainException(ErrorCodes.ModelStageInvalid, $"Version {version.Number} is {version.Stage} and cannot be promoted.");
        }
        RecordModelEvaluation.RequirePassed(model, version);
        return new ModelVersionPromoted(model.Id, version.Id, model.ProductionVersionId, by, now, reason);
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<ModelGraphType>, Model>("promoteModelVersion")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Argument<NonNullGraphType<PromoteModelVersionInputType>>("input")
        .ResolveAsync(context =>
        {
            var command = context.GetArgument<PromoteModelVersion>("input");
            return StreamDecision.DecideAsync(context.Store(), command.ModelId, ModelConcurrency.Expected(command.ModelId, command.ExpectedVersion),
                model => [Decide(model, command, context.Actor(), context.Now())], context.CancellationToken);
        });
}

public sealed class PromoteModelVersionInputType : AutoRegisteringInputObjectGraphType<PromoteModelVersion>
{
    public PromoteModelVersionInputType() => Name = "PromoteModelVersionInput";
}
