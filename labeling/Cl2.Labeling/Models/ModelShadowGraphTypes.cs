using GraphQL.Types;

namespace Cl2.Labeling.Models;

/// <summary>The shadow that runs now, with its version resolved (the source is read from the model it belongs to).</summary>
public sealed record RunningShadow(ModelVersion Version, string ShadowedBy, DateTimeOffset ShadowedAt)
{
    public static RunningShadow? Of(Model model) =>
        model.ActiveShadow() is { } shadow ? new RunningShadow(model.FindVersion(shadow.VersionId)!, shadow.ShadowedBy, shadow.ShadowedAt) : null;
}

public sealed class ModelShadowGraphType : ObjectGraphType<RunningShadow>
{
    public ModelShadowGraphType()
    {
        Name = "ModelShadow";
        Description = "A candidate that inference runs beside production on the same studies, its results never delivered.";
        Field<NonNullGraphType<ModelVersionGraphType>, ModelVersion>("version").Resolve(context => context.Source.Version);
        Field(shadow => shadow.ShadowedBy);
        Field(shadow => shadow.ShadowedAt);
    }
}
