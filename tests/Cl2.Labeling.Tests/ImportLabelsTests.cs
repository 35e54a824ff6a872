using Cl2.Labeling.Cases;
using Cl2.Labeling.Labels;

namespace Cl2.Labeling.Tests;

public sealed class ImportLabelsTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private const string Digest1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private const string Digest2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    private const string Import = """
        mutation($input: ImportLabelsInput!) { importLabels(input: $input) }
        """;

    public Task InitializeAsync() => api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void several_labels_for_one_case_chain_their_revisions_and_a_stale_base_refuses_the_whole_import()
    {
        var now = DateTimeOffset.UnixEpoch;
        var @case = Case.Create(new CaseAdded(Guid.NewGuid(), Guid.NewGuid(), "1.2.3", "importer", now));
        var cases = new Dictionary<Guid, Case> { [@case.Id] = @case };
        var chained = new ImportLabels([new SubmitLabel(@case.Id, 0, LabelKind.Segmentation, Digest1), new SubmitLabel(@case.Id, 1, LabelKind.Segmentation, Digest2)]);

        var events = ImportLabels.Decide(cases, chained, [Guid.NewGuid(), Guid.NewGuid()], "ml", now);

        Assert.Equal([1, 2], events.Select(@event => @event.Revision));
        var stale = new ImportLabels([new SubmitLabel(@case.Id, 0, LabelKind.Segmentation, Digest1), new SubmitLabel(@case.Id, 0, LabelKind.Segmentation, Digest2)]);
        Assert.Equal(ErrorCodes.LabelRevisionConflict,
            Assert.Throws<DomainException>(() => ImportLabels.Decide(cases, stale, [Guid.NewGuid(), Guid.NewGuid()], "ml", now)).Code);
        Assert.Equal(ErrorCodes.CaseNotFound, Assert.Throws<DomainException>(() => ImportLabels.Decide(
            new Dictionary<Guid, Case>(), new ImportLabels([new SubmitLabel(@case.Id, 0, LabelKind.Segmentation, Digest1)]), [Guid.NewGuid()], "ml", now)).Code);
        Assert.Equal(ErrorCodes.InvalidInput, Assert.Throws<DomainException>(() => ImportLabels.Decide(cases, new ImportLabels([]), [], "ml", now)).Code);
    }

    [Fact]
    public async Task an_import_stores_every_revision_in_one_go_or_nothing_and_needs_the_ml_engineer_role()
    {
        var datasetId = (await api.RunAsync("""mutation { createDataset(input: { name: "imported" }) { id } }"""))["createDataset"]!["id"]!.GetValue<string>();
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
}
