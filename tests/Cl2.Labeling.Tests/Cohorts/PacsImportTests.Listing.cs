namespace Cl2.Labeling.Tests.Cohorts;

/// <summary><c>pacsImports</c>: the operations page's list of imports with their progress.</summary>
public sealed partial class PacsImportTests
{
    [Fact]
    public async Task pacs_imports_lists_every_import_newest_first_with_its_progress()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var blobs = Directory.CreateTempSubdirectory("cl2-blobs-").FullName;
        await using var api = new Api(postgres, pacs.Settings(blobs));
        var datasetId = await CreateDatasetAsync(api, research: false);
        var completed = await ImportAsync(api, datasetId, pacs.MrStudy);
        var failed = await ImportAsync(api, datasetId, "1.2.826.0.1.3680043.99.405");

        var listed = (await api.RunAsync("{ pacsImports(first: 10) { totalCount items { id status studiesImported instancesFetched } } }"))["pacsImports"]!;

        Assert.Equal(2, listed["totalCount"]!.GetValue<int>());
        Assert.Equal([failed["id"]!.GetValue<string>(), completed["id"]!.GetValue<string>()],
            listed["items"]!.AsArray().Select(item => item!["id"]!.GetValue<string>()));
        var earlier = listed["items"]![1]!;
        Assert.Equal(("COMPLETED", 1, Number(completed, "instancesFetched")),
            (earlier["status"]!.GetValue<string>(), earlier["studiesImported"]!.GetValue<int>(), earlier["instancesFetched"]!.GetValue<int>()));
        Directory.Delete(blobs, recursive: true);
    }
}
