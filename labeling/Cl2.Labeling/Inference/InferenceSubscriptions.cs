using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Inference;

public static class InferenceSubscriptions
{
    public static void AddFields(ObjectGraphType subscription) => subscription
        .Field<NonNullGraphType<InferenceResultGraphType>, InferenceResult>("inferenceCompleted")
        .Description("Each new inference result (of the model, or of any model).")
        .AuthorizeWithRoles(Roles.Anyone)
        .Argument<IdGraphType>("model")
        .ResolveStream(context =>
        {
            var modelId = context.GetArgument<Guid?>("model");
            return context.RequestServices!.GetRequiredService<EventHub>()
                .Of<InferenceCompleted, InferenceResult>(completed => modelId is null || completed.ModelId == modelId, InferenceResult.Create);
        });
}
