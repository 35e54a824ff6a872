using System.Globalization;
using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Reading;
using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Types;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cl2.Labeling.Shadow;

/// <summary>How a version did in shadow: on how many studies it ran beside production, since when, and how far it agreed
/// with production on them (the mean of each study's agreement, and per label).</summary>
public sealed record ShadowReport(int Studies, DateTimeOffset Since, DateTimeOffset LastRecordedAt, double MeanAgreementWithProduction, IReadOnlyList<LabelAgreement> Labels,
    ShadowFeedbackReport? Feedback = null)
{
    /// <summary>
    /// The report of <paramref name="versionId"/>, null before it ran in shadow. The versions a query asks for are
    /// reported together by PostgreSQL in one round trip, whatever the number of studies they shadowed: the counts and
    /// means are aggregates over <c>mt_doc_shadowresult</c>, and no shadow result is read into memory.
    /// </summary>
    public static IDataLoaderResult<ShadowReport?> Load(IResolveFieldContext context, Guid versionId)
    {
        var store = context.Store();
        var dataSource = context.RequestServices!.GetRequiredService<NpgsqlDataSource>();
        var table = context.RequestServices!.GetRequiredService<IOptions<PostgresOptions>>().Value.Schema + ".mt_doc_shadowresult";
        return context.Loaders().For<Guid, ShadowReport?>("shadowReportByVersion", async (versionIds, cancellationToken) =>
        {
            // The table exists from start-up on (EventStoreSchema), unless PostgreSQL was down then: create it as a session would.
            await store.Storage.Database.EnsureStorageExistsAsync(typeof(ShadowResult), cancellationToken);
            await using var batch = dataSource.CreateBatch();
            // A time is compared as an instant, and the text Marten stored is what is read back, so that the 100 ns and the
            // offset a DateTimeOffset holds (and PostgreSQL's microseconds would drop) come back as they were recorded.
            const string Instant = "to_char((data ->> 'RecordedAt')::timestamptz at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')";
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"select (data ->> 'VersionId')::uuid, count(*), avg((data ->> 'Agreement')::float8), " +
                $"(min(array[{Instant}, data ->> 'RecordedAt']))[2], (max(array[{Instant}, data ->> 'RecordedAt']))[2] " +
                $"from {table} where (data ->> 'VersionId')::uuid = any(@versions) group by 1"));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"select (data ->> 'VersionId')::uuid, label ->> 'Label', avg((label ->> 'Agreement')::float8) " +
                $"from {table} cross join lateral jsonb_array_elements(data -> 'Labels') label " +
                "where (data ->> 'VersionId')::uuid = any(@versions) group by 1, 2"));
            // Each shadow result counts with the latest verdict it was compared with; a mean skips the verdicts without
            // an agreement (rejections, corrections that could not be compared).
            const string Judged = "(data ->> 'VersionId')::uuid = any(@versions) and jsonb_typeof(data -> 'Feedback') = 'object'";
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                "select (data ->> 'VersionId')::uuid, count(*), avg((data -> 'Feedback' ->> 'Agreement')::float8), " +
                "count(*) filter (where data -> 'Feedback' ->> 'Verdict' = 'Correct'), count(*) filter (where data -> 'Feedback' ->> 'Verdict' = 'Accept'), " +
                "count(*) filter (where data -> 'Feedback' ->> 'Verdict' = 'Reject'), " +
                "count(*) filter (where data -> 'Feedback' ->> 'Verdict' = 'Correct' and data -> 'Feedback' ->> 'Agreement' is not null) " +
                $"from {table} where {Judged} group by 1"));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"select (data ->> 'VersionId')::uuid, label ->> 'Label', avg((label ->> 'Agreement')::float8) " +
                $"from {table} cross join lateral jsonb_array_elements(data -> 'Feedback' -> 'Labels') label where {Judged} group by 1, 2"));
            foreach (var command in batch.BatchCommands.Cast<NpgsqlBatchCommand>())
            {
                command.Parameters.AddWithValue("versions", versionIds.ToArray());
            }
            var totals = new List<(Guid Version, int Studies, double Mean, DateTimeOffset Since, DateTimeOffset Last)>();
            var labels = new List<(Guid Version, LabelAgreement Label)>();
            var judged = new Dictionary<Guid, ShadowFeedbackReport>();
            var judgedLabels = new List<(Guid Version, LabelAgreement Label)>();
            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    totals.Add((reader.GetGuid(0), checked((int)reader.GetInt64(1)), reader.GetDouble(2),
                        DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture), DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture)));
                }
                await reader.NextResultAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    labels.Add((reader.GetGuid(0), new LabelAgreement(reader.GetString(1), reader.GetDouble(2))));
                }
                await reader.NextResultAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    judged[reader.GetGuid(0)] = new ShadowFeedbackReport(Count(reader, 1), reader.IsDBNull(2) ? null : reader.GetDouble(2),
                        Count(reader, 3), Count(reader, 4), Count(reader, 5), Count(reader, 6), []);
                }
                await reader.NextResultAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    judgedLabels.Add((reader.GetGuid(0), new LabelAgreement(reader.GetString(1), reader.GetDouble(2))));
                }
            }
            return totals.ToDictionary(total => total.Version, total => (ShadowReport?)new ShadowReport(total.Studies, total.Since, total.Last, total.Mean,
                OfVersion(labels, total.Version),
                judged.TryGetValue(total.Version, out var feedback) ? feedback with { Labels = OfVersion(judgedLabels, total.Version) } : null));
        }).Load(versionId);
    }

    private static int Count(NpgsqlDataReader reader, int column) => checked((int)reader.GetInt64(column));

    private static LabelAgreement[] OfVersion(List<(Guid Version, LabelAgreement Label)> labels, Guid version) =>
        [.. labels.Where(label => label.Version == version).Select(label => label.Label).OrderBy(label => label.Label, StringComparer.Ordinal)];
}

/// <summary>How a version's shadow results agreed with radiologists' verdicts on the production results they ran beside
/// (each study with its latest verdict): the mean over the studies with an agreement (corrections compared with the
/// shadow's output, acceptances), and per label.</summary>
public sealed record ShadowFeedbackReport(int Studies, double? MeanAgreement, int Corrected, int Accepted, int Rejected, int CorrectedCompared,
    IReadOnlyList<LabelAgreement> Labels);

public sealed class ShadowFeedbackReportGraphType : ObjectGraphType<ShadowFeedbackReport>
{
    public ShadowFeedbackReportGraphType()
    {
        Name = "ShadowFeedbackReport";
        Description = "How a shadow version agreed with radiologists' later verdicts on production's results, each study counted with its latest verdict.";
        Field(report => report.Studies).Description("Studies whose production result got a verdict after or before the shadow ran.");
        Field(report => report.MeanAgreement, nullable: true).Description(
            "The mean agreement over the studies that have one: a correction compared with the shadow's output (Dice per label, or the same class), " +
            "an acceptance (production was right: the shadow's agreement with production). Null when none has one.");
        Field(report => report.Corrected);
        Field(report => report.CorrectedCompared).Description("Corrections the shadow's output could be compared with (its output kept, the same grid).");
        Field(report => report.Accepted);
        Field(report => report.Rejected).Description("Rejections name no right answer: counted, not in the mean.");
        LabelAgreementGraphType.AddLabelsField(this, source => source.Labels, "The mean agreement with the verdicts per label.");
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

    /// <summary>The non-null <c>labels</c> list field every shadow type has.</summary>
    public static void AddLabelsField<TSource>(ObjectGraphType<TSource> type, Func<TSource, IEnumerable<LabelAgreement>> labels, string? description = null) =>
        type.Field<NonNullGraphType<ListGraphType<NonNullGraphType<LabelAgreementGraphType>>>, IEnumerable<LabelAgreement>>("labels")
            .Description(description)
            .Resolve(context => labels(context.Source));
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
        LabelAgreementGraphType.AddLabelsField(this, source => source.Labels, "The mean agreement with production per label.");
        Field<ShadowFeedbackReportGraphType, ShadowFeedbackReport>("feedback")
            .Description("Its agreement with radiologists' verdicts on the production results it ran beside; null before any got one.")
            .Resolve(context => context.Source.Feedback);
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
        LabelAgreementGraphType.AddLabelsField(this, source => source.Labels);
        Field(result => result.Agreement).Description("The mean of the labels' agreement.");
        Field(result => result.RecordedBy);
        Field(result => result.RecordedAt);
        Field(result => result.OutputDigest, nullable: true).Description("The shadow's output as a blob in the format of a label of its kind.");
        Field<ShadowFeedbackGraphType, ShadowFeedback>("feedback")
            .Description("The latest verdict on production's result and how far the shadow agreed with it; null before one was given.")
            .Resolve(context => context.Source.Feedback);
    }
}

public sealed class ShadowFeedbackGraphType : ObjectGraphType<ShadowFeedback>
{
    public ShadowFeedbackGraphType()
    {
        Name = "ShadowFeedback";
        Field(feedback => feedback.FeedbackId, type: typeof(NonNullGraphType<IdGraphType>));
        Field<NonNullGraphType<Feedback.FeedbackVerdictGraphType>, Feedback.FeedbackVerdict>("verdict").Resolve(context => context.Source.Verdict);
        Field(feedback => feedback.GivenAt);
        LabelAgreementGraphType.AddLabelsField(this, source => source.Labels, "Per label; empty for a rejection, or a correction that could not be compared (unscored says why).");
        Field(feedback => feedback.Agreement, nullable: true).Description("The mean of the labels' agreement; null when there are none.");
        Field(feedback => feedback.Unscored, nullable: true).Description("Why a correction could not be compared with the shadow's output.");
        Field(feedback => feedback.ComparedAt);
    }
}
