using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Reading;
using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Shadow;

/// <summary>How a version did in shadow: on how many studies it ran beside production, since when, and how far it agreed
/// with production on them (the mean of each study's agreement, and per label).</summary>
public sealed record ShadowReport(int Studies, DateTimeOffset Since, DateTimeOffset LastRecordedAt, double MeanAgreementWithProduction, IReadOnlyList<LabelAgreement> Labels)
{
    public static ShadowReport? Of(IReadOnlyCollection<ShadowResult> results) => results.Count == 0
        ? null
        : new ShadowReport(
            results.Count,
            results.Min(result => result.RecordedAt),
            results.Max(result => result.RecordedAt),
            results.Average(result => result.Agreement),
            [.. results.SelectMany(result => result.Labels).GroupBy(label => label.Label, StringComparer.Ordinal).OrderBy(group => group.Key, StringComparer.Ordinal)
                .Select(group => new LabelAgreement(group.Key, group.Average(label => label.Agreement)))]);

    /// <summary>The report of <paramref name="versionId"/>, null before it ran in shadow; the versions a query asks for are read in one batch.</summary>
    public static IDataLoaderResult<ShadowReport?> Load(IResolveFieldContext context, Guid versionId)
    {
        var store = context.Store();
        return context.Loaders().For<Guid, ShadowReport?>("shadowReportByVersion", async (versionIds, cancellationToken) =>
        {
            var ids = versionIds.ToArray();
            await using var session = store.QuerySession();
            var results = await session.Query<ShadowResult>().Where(result => ids.Contains(result.VersionId)).ToListAsync(cancellationToken);
            return results.GroupBy(result => result.VersionId).ToDictionary(group => group.Key, group => Of([.. group]));
        }).Load(versionId);
    }
}

public sealed class LabelAgreementGraphType : ObjectGraphType<LabelAgreement>
{
    public LabelAgreementGraphType()
    {
        Name = "LabelAgreement";
        Field(label => label.Label);
        Field(label => label.Agreement).Description("Dice of a segment's masks (1 when neither marked a voxel); 1 or 0 for a finding (the same decision or not).");
    }
}

public sealed class ShadowReportGraphType : ObjectGraphType<ShadowReport>
{
    public ShadowReportGraphType()
    {
        Name = "ShadowReport";
        Description = "How a version did running in shadow beside production.";
        Field(report => report.Studies).Description("Studies it ran on beside production.");
        Field(report => report.Since).Description("When its first shadow result was recorded.");
        Field(report => report.LastRecordedAt);
        Field(report => report.MeanAgreementWithProduction).Description("The mean over those studies of each study's agreement with production's result.");
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<LabelAgreementGraphType>>>, IEnumerable<LabelAgreement>>("labels")
            .Description("The mean agreement with production per label.")
            .Resolve(context => context.Source.Labels);
    }
}

public sealed class ShadowResultGraphType : ObjectGraphType<ShadowResult>
{
    public ShadowResultGraphType()
    {
        Name = "ShadowResult";
        Field(result => result.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(result => result.ModelId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(result => result.VersionId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(result => result.ProductionVersionId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(result => result.ProductionResultId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(result => result.StudyInstanceUid);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<LabelAgreementGraphType>>>, IEnumerable<LabelAgreement>>("labels")
            .Resolve(context => context.Source.Labels);
        Field(result => result.Agreement).Description("The mean of the labels' agreement.");
        Field(result => result.RecordedBy);
        Field(result => result.RecordedAt);
    }
}
