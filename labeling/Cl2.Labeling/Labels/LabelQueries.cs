using Cl2.Labeling.Cases;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Reading;
using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Labels;

public static class LabelQueries
{
    public static void AddFields(ObjectGraphType query) =>
        query.FieldById<LabelRevisionGraphType, LabelRevision>("labelRevision", Roles.Anyone);

    /// <summary>The label history of many cases in one query, oldest first, conflicted submissions included.</summary>
    public static IDataLoaderResult<IReadOnlyList<LabelRevision>?> HistoryOf(IResolveFieldContext context, Guid caseId)
    {
        var store = context.Store();
        return context.Loaders().For<Guid, IReadOnlyList<LabelRevision>>("labelHistoryByCase", async (caseIds, cancellationToken) =>
        {
            await using var session = store.QuerySession();
            var ids = caseIds.ToArray();
            var revisions = await session.Query<LabelRevision>()
                .Where(revision => ids.Contains(revision.CaseId))
                .OrderBy(revision => revision.SubmittedAt).ThenBy(revision => revision.Id)
                .ToListAsync(cancellationToken);
            return revisions.GroupBy(revision => revision.CaseId)
                .ToDictionary(group => group.Key, group => (IReadOnlyList<LabelRevision>)[.. group]);
        }).Load(caseId);
    }
}

public sealed class LabelRevisionGraphType : ObjectGraphType<LabelRevision>
{
    public LabelRevisionGraphType()
    {
        Name = "LabelRevision";
        Field(revision => revision.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(revision => revision.CaseId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(revision => revision.Revision, nullable: true)
            .Description("1, 2, …; null for a conflicted submission, which never became a revision.");
        Field(revision => revision.BaseRevision);
        Field(revision => revision.Kind, type: typeof(NonNullGraphType<LabelKindGraphType>));
        Field(revision => revision.BlobDigest);
        Field(revision => revision.Status, type: typeof(NonNullGraphType<LabelRevisionStatusGraphType>));
        Field(revision => revision.SubmittedBy);
        Field(revision => revision.SubmittedAt);
        Field(revision => revision.ReviewedBy, nullable: true);
        Field(revision => revision.ReviewedAt, nullable: true);
        Field(revision => revision.ReviewComment, nullable: true);
        Field<NonNullGraphType<CaseGraphType>, IDataLoaderResult<Case?>>("case")
            .Resolve(context => context.LoadById<Case>(context.Source.CaseId));
    }
}

public sealed class LabelKindGraphType : EnumerationGraphType<LabelKind>
{
    public LabelKindGraphType() => Name = "LabelKind";
}

public sealed class LabelRevisionStatusGraphType : EnumerationGraphType<LabelRevisionStatus>
{
    public LabelRevisionStatusGraphType() => Name = "LabelRevisionStatus";
}

public sealed class ReviewDecisionGraphType : EnumerationGraphType<ReviewDecision>
{
    public ReviewDecisionGraphType() => Name = "ReviewDecision";
}
