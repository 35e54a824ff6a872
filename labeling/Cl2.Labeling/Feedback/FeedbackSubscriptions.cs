using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Feedback;

public static class FeedbackSubscriptions
{
    public static void AddFields(ObjectGraphType subscription) => subscription
        .Field<NonNullGraphType<FeedbackGraphType>, GivenFeedback>("feedbackGiven")
        .Description("Each verdict radiologists give, on results of a model or one of its versions (or of any).")
        .AuthorizeWithRoles(Roles.Anyone)
        .Argument<IdGraphType>("model")
        .Argument<IdGraphType>("modelVersion")
        .ResolveStream(context =>
        {
            var modelId = context.GetArgument<Guid?>("model");
            var versionId = context.GetArgument<Guid?>("modelVersion");
            return context.RequestServices!.GetRequiredService<EventHub>().Of<FeedbackGiven, GivenFeedback>(
                given => (modelId is null || given.ModelId == modelId) && (versionId is null || given.VersionId == versionId),
                GivenFeedback.Create);
        });
}
