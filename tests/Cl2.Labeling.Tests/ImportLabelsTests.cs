using Cl2.Labeling.Blobs;
using Cl2.Labeling.Cases;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Labels;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cl2.Labeling.Tests;

public sealed class ImportLabelsTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private static readonly string Digest1 = LabelingApi.DigestOf("mask 1");
    private static readonly string Digest2 = LabelingApi.DigestOf("mask 2");

    private const string Import = """
        mutation($input: ImportLabelsInput!) { importLabels(input: $input) }
        """;

    private const string Submit = """
        mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id revision } }
        """;

    public async Task InitializeAsync()
    {
        await api.ResetAsync();
        await api.StoreBlobAsync("mask 1");
        await api.StoreBlobAsync("mask 2");
    }

    private static bool AllStored(BlobDigest digest) => true;

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void several_labels_for_one_case_chain_their_revisions_and_a_stale_base_refuses_the_whole_import()
    {
        var now = DateTimeOffset.UnixEpoch;
        var @case = Case.Create(new CaseAdded(Guid.NewGuid(), Guid.NewGuid(), "1.2.3", "importer", now));
        var cases = new Dictionary<Guid, Case> { [@case.Id] = @case };
        var chained = new ImportLabels([new SubmitLabel(@case.Id, 0, LabelKind.Segmentation, Digest1), new SubmitLabel(@case.Id, 1, LabelKind.Segmentation, Digest2)]);

        var events = ImportLabels.Decide(cases, AllStored, chained, [Guid.NewGuid(), Guid.NewGuid()], "ml", now);

        Assert.Equal([1, 2], events.Select(@event => @event.Revision));
        var stale = new ImportLabels([new SubmitLabel(@case.Id, 0, LabelKind.Segmentation, Digest1), new SubmitLabel(@case.Id, 0, LabelKind.Segmentation, Digest2)]);
        Assert.Equal(ErrorCodes.LabelRevisionConflict,
            Assert.Throws<DomainException>(() => ImportLabels.Decide(cases, AllStored, stale, [Guid.NewGuid(), Guid.NewGuid()], "ml", now)).Code);
        Assert.Equal(ErrorCodes.CaseNotFound, Assert.Throws<DomainException>(() => ImportLabels.Decide(
            new Dictionary<Guid, Case>(), AllStored, new ImportLabels([new SubmitLabel(@case.Id, 0, LabelKind.Segmentation, Digest1)]), [Guid.NewGuid()], "ml", now)).Code);
        Assert.Equal(ErrorCodes.InvalidInput, Assert.Throws<DomainException>(() => ImportLabels.Decide(cases, AllStored, new ImportLabels([]), [], "ml", now)).Code);
    }

    [Fact]
    public async Task an_import_stores_every_revision_in_one_go_or_nothing_and_needs_the_ml_engineer_role()
    {
        var datasetId = (await api.RunAsync("""mutation { createDataset(input: { name: "imported" }) { id } }"""))["createDataset"]!["id"]!.GetValue<string>();
        await ArchivedStudies.StoreAsync(api.Client, "1.2.9.1", "1.2.9.2");
        var caseIds = (await api.RunAsync("""
            mutation($input: AddCasesInput!) { addCases(input: $input) { id } }
            """, new { input = new { datasetId, studyInstanceUids = new[] { "1.2.9.1", "1.2.9.2" } } }))["addCases"]!.AsArray()
            .Select(node => node!["id"]!.GetValue<string>()).ToArray();

        var imported = await api.RunAsync(Import, new
        {
            input = new
            {
                labels = new[]
                {
                    new { caseId = caseIds[0], baseRevision = 0, kind = "SEGMENTATION", blobDigest = Digest1 },
                    new { caseId = caseIds[1], baseRevision = 0, kind = "CLASSIFICATION", blobDigest = Digest1 },
                    new { caseId = caseIds[0], baseRevision = 1, kind = "SEGMENTATION", blobDigest = Digest2 },
                },
            },
        });
        Assert.Equal(3, imported["importLabels"]!.GetValue<int>());

        // The second label is stale (case 1 is at revision 1 now): the first, valid one must not be stored either.
        var refused = await api.PostAsync(Import, new
        {
            input = new
            {
                labels = new[]
                {
                    new { caseId = caseIds[0], baseRevision = 2, kind = "SEGMENTATION", blobDigest = Digest1 },
                    new { caseId = caseIds[1], baseRevision = 0, kind = "SEGMENTATION", blobDigest = Digest2 },
                },
            },
        });
        Assert.Equal("LABEL_REVISION_CONFLICT", refused.FirstErrorCode);
        var forbidden = await api.PostAsAsync(("ann", "annotator"), Import, new
        {
            input = new { labels = new[] { new { caseId = caseIds[0], baseRevision = 2, kind = "SEGMENTATION", blobDigest = Digest1 } } },
        });
        Assert.Equal("FORBIDDEN", forbidden.FirstErrorCode);

        foreach (var (caseId, revision, history) in new[] { (caseIds[0], 2, 2), (caseIds[1], 1, 1) })
        {
            var @case = (await api.RunAsync("""
                query($id: ID!) { case(id: $id) { currentRevision labelHistory { revision } } }
                """, new { id = caseId }))["case"]!;
            Assert.Equal(revision, @case["currentRevision"]!.GetValue<int>());
            Assert.Equal(history, @case["labelHistory"]!.AsArray().Count);
        }
    }

    [Fact]
    public async Task an_import_stores_the_same_events_snapshots_and_revisions_as_submitting_one_by_one()
    {
        var caseIds = await AddCasesAsync("compared", "1.2.8.1", "1.2.8.2", "1.2.8.3", "1.2.8.4");
        // Cases 0 and 1 one by one through Marten's own append and inline projections; 2 and 3 the same labels imported.
        (int Case, int BaseRevision, string Kind, string Digest)[] labels = [(0, 0, "SEGMENTATION", Digest1), (1, 0, "CLASSIFICATION", Digest2), (0, 1, "SEGMENTATION", Digest2)];
        foreach (var (index, baseRevision, kind, digest) in labels)
        {
            await api.RunAsync(Submit, new { input = new { caseId = caseIds[index], baseRevision, kind, blobDigest = digest } });
        }
        using var published = new HubRecorder(api.Host.Services.GetRequiredService<EventHub>());
        var imported = await api.RunAsync(Import, new
        {
            input = new { labels = labels.Select(label => new { caseId = caseIds[label.Case + 2], baseRevision = label.BaseRevision, kind = label.Kind, blobDigest = label.Digest }) },
        });
        Assert.Equal(3, imported["importLabels"]!.GetValue<int>());

        var store = api.Host.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.QuerySession();
        var importedEvents = new List<LabelSubmitted>();
        foreach (var (single, bulk) in new[] { (caseIds[0], caseIds[2]), (caseIds[1], caseIds[3]) })
        {
            var (singleCase, bulkCase) = (await session.LoadAsync<Case>(single), await session.LoadAsync<Case>(bulk));
            // The snapshot is what Marten's projection makes of the stream, and at the stream's version.
            var aggregated = await session.Events.AggregateStreamAsync<Case>(bulk);
            Assert.Equal(aggregated, bulkCase);
            Assert.Equal((await session.Events.FetchStreamStateAsync(bulk))!.Version, bulkCase!.Version);
            Assert.Equal((await session.MetadataForAsync(singleCase!))!.CurrentRevision, (await session.MetadataForAsync(bulkCase))!.CurrentRevision);
            Assert.Equal(singleCase! with { Id = bulk, StudyInstanceUid = bulkCase.StudyInstanceUid, AddedAt = bulkCase.AddedAt, LabelledAt = bulkCase.LabelledAt, CurrentRevisionId = bulkCase.CurrentRevisionId }, bulkCase);

            var (singleEvents, bulkEvents) = (await session.Events.FetchStreamAsync(single), await session.Events.FetchStreamAsync(bulk));
            Assert.Equal(singleEvents.Select(Shape), bulkEvents.Select(Shape));
            Assert.True(bulkEvents.Zip(bulkEvents.Skip(1)).All(pair => pair.First.Sequence < pair.Second.Sequence));
            foreach (var (singleEvent, bulkEvent) in singleEvents.Zip(bulkEvents).Where(pair => pair.First.Data is LabelSubmitted))
            {
                var (singleSubmitted, bulkSubmitted) = ((LabelSubmitted)singleEvent.Data, (LabelSubmitted)bulkEvent.Data);
                importedEvents.Add(bulkSubmitted);
                var (singleRevision, bulkRevision) = (await session.LoadAsync<LabelRevision>(singleSubmitted.LabelRevisionId), await session.LoadAsync<LabelRevision>(bulkSubmitted.LabelRevisionId));
                Assert.Equal(singleRevision! with { Id = bulkRevision!.Id, CaseId = bulk, SubmittedAt = bulkRevision.SubmittedAt }, bulkRevision);
                var (singleMetadata, bulkMetadata) = (await session.MetadataForAsync(singleRevision), await session.MetadataForAsync(bulkRevision));
                Assert.Equal((singleMetadata!.CurrentRevision, singleMetadata.DotNetType), (bulkMetadata!.CurrentRevision, bulkMetadata.DotNetType));
            }
        }
        Assert.Equal(importedEvents.OrderBy(@event => @event.LabelRevisionId), (await published.WaitForAsync<LabelSubmitted>(importedEvents.Count, @event => @event.CaseId == caseIds[2] || @event.CaseId == caseIds[3])).OrderBy(@event => @event.LabelRevisionId));

        // Marten's own write paths carry on from what the import wrote: a new revision, and a review of an imported one.
        await api.RunAsync(Submit, new { input = new { caseId = caseIds[2], baseRevision = 2, kind = "SEGMENTATION", blobDigest = Digest1 } });
        var reviewed = await api.RunAsync("""
            mutation($input: ReviewLabelInput!) { reviewLabel(input: $input) { status } }
            """, new { input = new { caseId = caseIds[3], labelRevisionId = importedEvents[^1].LabelRevisionId, decision = "APPROVE" } });
        Assert.Equal("APPROVED", reviewed["reviewLabel"]!["status"]!.GetValue<string>());
        var history = (await api.RunAsync("""
            query($id: ID!) { case(id: $id) { currentRevision labelStatus labelHistory { revision } } }
            """, new { id = caseIds[2] }))["case"]!;
        Assert.Equal(3, history["currentRevision"]!.GetValue<int>());
        Assert.Equal(3, history["labelHistory"]!.AsArray().Count);
    }

    [Fact]
    public async Task an_append_between_reading_and_writing_fails_the_import_and_stores_nothing()
    {
        // More cases than one statement batch takes, and the raced case in the last batch: the batches already written roll back too.
        Guid[] caseIds =
        [
            .. await AddCasesAsync("raced", [.. Enumerable.Range(1, AddCases.MaxPerCall).Select(study => $"1.2.7.{study}")]),
            .. await AddCasesAsync("raced more", [.. Enumerable.Range(1, 100).Select(study => $"1.2.6.{study}")]),
        ];
        var raced = caseIds[^1];
        var store = api.Host.Services.GetRequiredService<IDocumentStore>();
        var dataSource = api.Host.Services.GetRequiredService<NpgsqlDataSource>();
        var (cases, submitted) = await DecideAsync(store, caseIds, caseId => 0);

        // Someone labels the last case after the import read it, before the import writes.
        await api.RunAsync(Submit, new { input = new { caseId = raced, baseRevision = 0, kind = "SEGMENTATION", blobDigest = Digest2 } });

        Assert.Null(await LabelImportStorage.TryWriteAsync(store, dataSource, "*DEFAULT*", cases, submitted, DateTimeOffset.UtcNow, CancellationToken.None));
        await using var check = store.QuerySession();
        Assert.Equal(caseIds.Select(caseId => caseId == raced ? 2L : 1L), await StreamVersionsAsync(check, caseIds));
        Assert.Equal(caseIds.Select(caseId => caseId == raced ? 1 : 0), (await check.LoadManyAsync<Case>(caseIds)).OrderBy(@case => Array.IndexOf(caseIds, @case.Id)).Select(@case => @case.CurrentRevision));
        Assert.Empty(await check.LoadManyAsync<LabelRevision>(submitted.Select(@event => @event.LabelRevisionId)));

        // Read again, the same import goes through on the raced case's new revision.
        (cases, submitted) = await DecideAsync(store, caseIds, caseId => caseId == raced ? 1 : 0);
        var stored = await LabelImportStorage.TryWriteAsync(store, dataSource, "*DEFAULT*", cases, submitted, DateTimeOffset.UtcNow, CancellationToken.None);
        // The sequence numbers it answers (what the replicas are notified of) are exactly those of its events.
        Assert.NotNull(stored);
        Assert.Equal(submitted.Count, stored.Value.Last - stored.Value.First + 1);
        Assert.Equal(await store.Storage.Database.FetchHighestEventSequenceNumber(), stored.Value.Last);
        Assert.Equal(caseIds.Select(caseId => caseId == raced ? 3L : 2L), await StreamVersionsAsync(check, caseIds));
    }

    private static async Task<(Dictionary<Guid, Case> Cases, IReadOnlyList<LabelSubmitted> Submitted)> DecideAsync(IDocumentStore store, Guid[] caseIds, Func<Guid, int> baseRevision)
    {
        await using var session = store.QuerySession();
        var cases = (await session.LoadManyAsync<Case>(caseIds)).ToDictionary(@case => @case.Id);
        var command = new ImportLabels([.. caseIds.Select(caseId => new SubmitLabel(caseId, baseRevision(caseId), LabelKind.Segmentation, Digest1))]);
        return (cases, ImportLabels.Decide(cases, AllStored, command, [.. caseIds.Select(_ => Guid.NewGuid())], "ml", DateTimeOffset.UtcNow));
    }

    private static async Task<long[]> StreamVersionsAsync(IQuerySession session, IEnumerable<Guid> caseIds)
    {
        var versions = new List<long>();
        foreach (var caseId in caseIds)
        {
            versions.Add((await session.Events.FetchStreamStateAsync(caseId))!.Version);
        }
        return [.. versions];
    }

    private async Task<Guid[]> AddCasesAsync(string dataset, params string[] studyInstanceUids)
    {
        var datasetId = (await api.RunAsync("""
            mutation($name: String!) { createDataset(input: { name: $name }) { id } }
            """, new { name = dataset }))["createDataset"]!["id"]!.GetValue<string>();
        await ArchivedStudies.StoreAsync(api.Client, studyInstanceUids);
        return [.. (await api.RunAsync("""
            mutation($input: AddCasesInput!) { addCases(input: $input) { id } }
            """, new { input = new { datasetId, studyInstanceUids } }))["addCases"]!.AsArray()
            .Select(node => Guid.Parse(node!["id"]!.GetValue<string>()))];
    }

    private static (string Type, string DotNetType, long Version, string TenantId, bool IsArchived) Shape(JasperFx.Events.IEvent @event) =>
        (@event.EventTypeName, @event.DotNetTypeName, @event.Version, @event.TenantId, @event.IsArchived);
}
