using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Inference;
using Cl2.Labeling.Labels;
using Cl2.Labeling.Reading;
using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Types;
using GraphQL.Types.Relay;
using GraphQL.Types.Relay.DataObjects;
using Marten;
using Marten.Linq;

namespace Cl2.Labeling.Feedback;

public static class FeedbackQueries
{
    public static void AddFields(ObjectGraphType query)
    {
        var feedback = query.Field<NonNullGraphType<ConnectionType<FeedbackGraphType>>, Connection<GivenFeedback>>("feedback")
            .Description("Radiologists' feedback on a model version's results, newest first, paged.")
            .AuthorizeWithRoles(Roles.Anyone)
            .Argument<NonNullGraphType<IdGraphType>>("modelVersion")
            .Argument<FeedbackVerdictGraphType>("verdict");
        Page.AddArguments(feedback);
        feedback.ResolveAsync(async context =>
        {
            var versionId = context.GetId("modelVersion");
            var verdict = context.GetArgument<FeedbackVerdict?>("verdict");
            return await context.PageAsync<GivenFeedback>(feedback =>
            {
                feedback = feedback.Where(given => given.VersionId == versionId);
                if (verdict is { } wanted)
                {
                    feedback = feedback.Where(given => given.Verdict == wanted);
                }
                return feedback.OrderByDescending(given => given.GivenAt).ThenBy(given => given.Id);
            });
        });
    }

    public static IDataLoaderResult<IReadOnlyList<GivenFeedback>?> FeedbackOfResult(IResolveFieldContext context, Guid resultId)
    {
        var store = context.Store();
        return context.Loaders().For<Guid, IReadOnlyList<GivenFeedback>>("feedbackByResult", async (resultIds, cancellationToken) =>
        {
            var ids = resultIds.ToArray();
            await using var session = store.QuerySession();
            var found = await session.Query<GivenFeedback>().Where(given => ids.Contains(given.InferenceResultId))
                .OrderBy(given => given.GivenAt).ThenBy(given => given.Id).ToListAsync(cancellationToken);
            return found.GroupBy(given => given.InferenceResultId).ToDictionary(group => group.Key, group => (IReadOnlyList<GivenFeedback>)[.. group]);
        }).Load(resultId);
    }

    /// <summary>
    /// The studies a version inferred whose result a radiologist later corrected, distinct, in the order of the first
    /// correction: one query for all the versions in a response.
    /// </summary>
    public static IDataLoaderResult<IReadOnlyList<string>?> CorrectedStudiesOf(IResolveFieldContext context, Guid versionId)
    {
        var store = context.Store();
        return context.Loaders().For<Guid, IReadOnlyList<string>>("correctedStudiesByVersion", async (versionIds, cancellationToken) =>
        {
            var ids = versionIds.ToArray();
            await using var session = store.QuerySession();
            var corrections = await session.Query<GivenFeedback>()
                .Where(given => ids.Contains(given.VersionId) && given.Verdict == FeedbackVerdict.Correct)
                .OrderBy(given => given.GivenAt).ThenBy(given => given.Id).ToListAsync(cancellationToken);
            return corrections.GroupBy(given => given.VersionId).ToDictionary(
                group => group.Key,
                group => (IReadOnlyList<string>)[.. group.Select(given => given.StudyInstanceUid).Distinct(StringComparer.Ordinal)]);
        }).Load(versionId);
    }
}

public sealed class FeedbackGraphType : ObjectGraphType<GivenFeedback>
{
    public FeedbackGraphType()
    {
        Name = "Feedback";
        Field(given => given.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(given => given.InferenceResultId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(given => given.StudyInstanceUid);
        Field(given => given.ModelId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(given => given.VersionId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(given => given.Verdict, type: typeof(NonNullGraphType<FeedbackVerdictGraphType>));
        Field(given => given.Comment, nullable: true);
        Field(given => given.CorrectedLabelRevisionId, type: typeof(IdGraphType));
        Field(given => given.Radiologist);
        Field(given => given.GivenAt);
        Field<NonNullGraphType<InferenceResultGraphType>, IDataLoaderResult<InferenceResult?>>("inferenceResult")
            .Resolve(context => context.LoadById<InferenceResult>(context.Source.InferenceResultId));
        Field<LabelRevisionGraphType, IDataLoaderResult<LabelRevision?>?>("correctedLabelRevision")
            .Resolve(context => context.Source.CorrectedLabelRevisionId is { } id ? context.LoadById<LabelRevision>(id) : null);
    }
}
