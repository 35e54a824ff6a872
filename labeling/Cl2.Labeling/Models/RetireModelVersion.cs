using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Models;

/// <summary>Take a version out of consideration for good. The production version is rolled back or replaced first.</summary>
public sealed record RetireModelVersion(Guid ModelId, Guid VersionId, int ExpectedVersion)
{
    public static ModelVersionRetired Decide(Model? model, RetireModelVersion command, string by, DateTimeOffset now)
    {
        if (model is null)
        {
            throw DomainException.NotFound(ErrorCodes.ModelNotFound, "Model", command.ModelId);
        }
        ModelConcurrency.Require(model, command.ExpectedVersion);
        var version = model.FindVersion(command.VersionId)
            ?? throw DomainException.NotFound(ErrorCodes.ModelVersionNotFound, "Model version", command.VersionId);
        if (version.Stage is ModelStage.Production or ModelStage.Retired)
        {
            throw new DomainException(ErrorCodes.ModelStageInvalid,
                version.Stage is ModelStage.Production
                    ? $"Version {version.Number} is in production: promote another version or roll back first."
                    : $"Version {version.Number} is retired already.");
        }
        return new ModelVersionRetired(model.Id, version.Id, by, now);
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<ModelGraphType>, Model>("retireModelVersion")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Argument<NonNullGraphType<RetireModelVersionInputType>>("input")
        .ResolveAsync(context =>
        {
            var command = context.GetArgument<RetireModelVersion>("input");
            return StreamDecision.DecideAsync(context.Store(), command.ModelId, ModelConcurrency.Expected(command.ModelId, command.ExpectedVersion),
                model => [Decide(model, command, context.Actor(), context.Now())], context.CancellationToken);
        });
}

public sealed class RetireModelVersionInputType : AutoRegisteringInputObjectGraphType<RetireModelVersion>
{
    public RetireModelVersionInputType() => Name = "RetireModelVersionInput";
}
