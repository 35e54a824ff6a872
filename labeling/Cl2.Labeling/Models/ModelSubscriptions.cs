using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Reading;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Models;

public enum ProductionChange
{
    Promoted,
    RolledBack,
}

/// <summary>A version went into production, by promotion or by a rollback to it. Inference reloads on this.</summary>
public sealed record ModelPromotion(Guid ModelId, Guid VersionId, Guid? ReplacedVersionId, ProductionChange Change, string By, DateTimeOffset At);

public static class ModelSubscriptions
{
    public static void AddFields(ObjectGraphType subscription)
    {
        subscription.Field<NonNullGraphType<ModelPromotionGraphType>, ModelPromotion>("modelPromoted")
            .AuthorizeWithRoles(Roles.Anyone)
            .Description("Each time a version of the model (or of any model) goes into production.")
            .Argument<IdGraphType>("model")
            .ResolveStream(context =>
            {
                var modelId = context.GetArgument<Guid?>("model");
                var hub = context.RequestServices!.GetRequiredService<EventHub>();
                return new MergedStream<ModelPromotion>(
                    hub.Of<ModelVersionPromoted, ModelPromotion>(
                        promoted => modelId is null || promoted.ModelId == modelId,
                        promoted => new ModelPromotion(promoted.ModelId, promoted.VersionId, promoted.ReplacedVersionId,
                            ProductionChange.Promoted, promoted.PromotedBy, promoted.PromotedAt)),
                    hub.Of<ModelVersionRolledBack, ModelPromotion>(
                        rolledBack => modelId is null || rolledBack.ModelId == modelId,
                        rolledBack => new ModelPromotion(rolledBack.ModelId, rolledBack.ToVersionId, rolledBack.FromVersionId,
                            ProductionChange.RolledBack, rolledBack.RolledBackBy, rolledBack.RolledBackAt)));
            });
    }
}

/// <summary>Two streams as one; neither completes on its own (the hub lives as long as the process).</summary>
public sealed class MergedStream<T>(IObservable<T> first, IObservable<T> second) : IObservable<T>
{
    public IDisposable Subscribe(IObserver<T> observer)
    {
        var one = first.Subscribe(observer);
        var two = second.Subscribe(observer);
        return new Both(one, two);
    }

    private sealed class Both(IDisposable one, IDisposable two) : IDisposable
    {
        public void Dispose()
        {
            one.Dispose();
            two.Dispose();
        }
    }
}

public sealed class ProductionChangeGraphType : EnumerationGraphType<ProductionChange>
{
    public ProductionChangeGraphType() => Name = "ProductionChange";
}

public sealed class ModelPromotionGraphType : ObjectGraphType<ModelPromotion>
{
    public ModelPromotionGraphType()
    {
        Name = "ModelPromotion";
        Field(promotion => promotion.ModelId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(promotion => promotion.VersionId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(promotion => promotion.ReplacedVersionId, type: typeof(IdGraphType));
        Field(promotion => promotion.Change, type: typeof(NonNullGraphType<ProductionChangeGraphType>));
        Field(promotion => promotion.By);
        Field(promotion => promotion.At);
        Field<NonNullGraphType<ModelGraphType>, global::GraphQL.DataLoader.IDataLoaderResult<Model?>>("model")
            .Resolve(context => context.LoadById<Model>(context.Source.ModelId));
    }
}
