using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Models;

/// <summary>Stop running the model's shadow. Clearing a model without one changes nothing (a repeated request is not an error).</summary>
public sealed record ClearModelShadow(Guid ModelId)
{
    public static IReadOnlyList<object> Decide(Model? model, ClearModelShadow command, string by, DateTimeOffset now)
    {
        if (model is null)
        {
            throw DomainException.NotFound(ErrorCodes.ModelNotFound, "Model", command.ModelId);
        }
        return model.ActiveShadow() is { } shadow ? [new ModelShadowCleared(model.Id, shadow.VersionId, by, now)] : [];
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<ModelGraphType>, Model>("clearModelShadow")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Argument<NonNullGraphType<ClearModelShadowInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<ClearModelShadow>("input");
            return (await StreamDecision.DecideAsync<Model>(context.Store(), command.ModelId,
                model => Decide(model, command, context.Actor(), context.Now()), context.CancellationToken))!;
        });
}

public sealed class ClearModelShadowInputType : AutoRegisteringInputObjectGraphType<ClearModelShadow>
{
    public ClearModelShadowInputType() => Name = "ClearModelShadowInput";
}
