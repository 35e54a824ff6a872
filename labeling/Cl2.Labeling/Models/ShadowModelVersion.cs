using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Models;

/// <summary>
/// Run a candidate in shadow beside the model's production version: inference runs it on the same studies and never
/// delivers its results. Only a candidate can be a shadow (production already runs; a retired or rejected version is never
/// to be used); a shadow set before is replaced, and the event says which.
/// </summary>
public sealed record ShadowModelVersion(Guid ModelId, Guid VersionId)
{
    public static IReadOnlyList<object> Decide(Model? model, ShadowModelVersion command, string by, DateTimeOffset now)
    {
        if (model is null)
        {
            throw DomainException.NotFound(ErrorCodes.ModelNotFound, "Model", command.ModelId);
        }
        var version = model.FindVersion(command.VersionId)
            ?? throw DomainException.NotFound(ErrorCodes.ModelVersionNotFound, "Model version", command.VersionId);
        if (version.Stage != ModelStage.Candidate)
        {
            throw new DomainException(ErrorCodes.ModelStageInvalid,
                $"Version {version.Number} is {version.Stage}; only a candidate (registered, never in production) can run in shadow.");
        }
        var current = model.ActiveShadow();
        return current?.VersionId == version.Id
            ? []
            : [new ModelVersionShadowed(model.Id, version.Id, current?.VersionId, by, now)];
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<ModelGraphType>, Model>("shadowModelVersion")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Description("Run a candidate in shadow beside production: inference runs it on the same studies and never delivers its results.")
        .Argument<NonNullGraphType<ShadowModelVersionInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<ShadowModelVersion>("input");
            return (await StreamDecision.DecideAsync<Model>(context.Store(), command.ModelId,
                model => Decide(model, command, context.Actor(), context.Now()), context.CancellationToken))!;
        });
}

public sealed class ShadowModelVersionInputType : AutoRegisteringInputObjectGraphType<ShadowModelVersion>
{
    public ShadowModelVersionInputType() => Name = "ShadowModelVersionInput";
}
