using Cl2.Labeling.Datasets;
using Cl2.Labeling.Labels;

namespace Cl2.Labeling.Tests;

/// <summary><c>defineDatasetLabels</c> and a dataset's <c>labelKind</c> / <c>labels</c>: what the annotator workspace names its
/// segments and offers as classes from.</summary>
public sealed class DatasetLabelsTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 4, 0, 0, TimeSpan.Zero);

    private static readonly Dataset Liver = new(Guid.CreateVersion7(), "liver", "", false, "ml", Now);

    private const string Define = """
        mutation($input: DefineDatasetLabelsInput!) { defineDatasetLabels(input: $input) { id labelKind labels { name value } } }
        """;

    public Task InitializeAsync() => api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static DatasetLabelsDefined Decide(LabelKind kind, params DatasetLabel[] labels) =>
        DefineDatasetLabels.Decide(Liver, new DefineDatasetLabels(Liver.Id, kind, labels), "ml", Now);

    private static string RefusalOf(LabelKind kind, params DatasetLabel[] labels) =>
        Assert.Throws<DomainException>(() => Decide(kind, labels)) is { Code: ErrorCodes.InvalidInput } refusal ? refusal.Message : "not INVALID_INPUT";

    [Fact]
    public void segmentation_labels_are_kept_in_voxel_value_order_with_trimmed_names()
    {
        var defined = Decide(LabelKind.Segmentation, new(" liver lesion ", 2), new("liver", 1));

        Assert.Equal([new DatasetLabel("liver", 1), new DatasetLabel("liver lesion", 2)], defined.Labels);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(256)]
    [InlineData(null)]
    public void a_segmentation_label_without_a_voxel_value_from_1_to_255_is_refused(int? value) =>
        Assert.Contains("needs a voxel value from 1 to 255", RefusalOf(LabelKind.Segmentation, new DatasetLabel("liver", value)));

    [Fact]
    public void two_segmentation_labels_with_one_voxel_value_are_refused() =>
        Assert.Contains("Voxel value 1 is given to 'liver' and 'spleen'", RefusalOf(LabelKind.Segmentation, new("liver", 1), new("spleen", 1)));

    [Fact]
    public void a_label_name_given_twice_is_refused() =>
        Assert.Contains("'fracture' is given twice", RefusalOf(LabelKind.Classification, new("fracture", null), new("Fracture", null)));

    [Fact]
    public void a_classification_label_with_a_voxel_value_is_refused() =>
        Assert.Contains("a classification label is a name only", RefusalOf(LabelKind.Classification, new DatasetLabel("fracture", 1)));

    [Fact]
    public void detection_labels_are_refused() =>
        Assert.Contains("SEGMENTATION or CLASSIFICATION", RefusalOf(LabelKind.Detection, new DatasetLabel("nodule", null)));

    [Fact]
    public void labels_of_a_dataset_that_does_not_exist_are_refused_as_dataset_not_found()
    {
        var dataset = Assert.Throws<DomainException>(() => DefineDatasetLabels.Decide(null, new DefineDatasetLabels(Guid.CreateVersion7(), LabelKind.Segmentation, [new("liver", 1)]), "ml", Now));

        Assert.Equal(ErrorCodes.DatasetNotFound, dataset.Code);
    }

    private static DatasetLabelsDefined DecideChannels(params string[] channels) =>
        DefineDatasetLabels.Decide(Liver, new DefineDatasetLabels(Liver.Id, LabelKind.Segmentation, [new("tumour", 1)], channels), "ml", Now);

    [Fact]
    public void channels_are_kept_trimmed_in_the_order_given()
    {
        var defined = DecideChannels(" T1 ", "T1c", "T2", "FLAIR");

        Assert.Equal(["T1", "T1c", "T2", "FLAIR"], defined.Channels);
    }

    [Fact]
    public void one_channel_is_a_label_over_one_series()
    {
        var defined = DecideChannels("CT");

        Assert.Null(defined.Channels);
    }

    [Fact]
    public void a_channel_given_twice_is_refused() =>
        Assert.Contains("'T2' is given twice",
            Assert.Throws<DomainException>(() => DecideChannels("T2", "FLAIR", "t2")).Message);

    [Fact]
    public void an_empty_channel_name_is_refused() =>
        Assert.Contains("A channel name has 1 to 100 characters",
            Assert.Throws<DomainException>(() => DecideChannels("T1", " ")).Message);

    [Fact]
    public async Task an_ml_engineers_labels_are_what_the_dataset_lists_to_an_annotator()
    {
        var id = (await api.RunAsync("""mutation { createDataset(input: { name: "liver" }) { id labelKind labels { name } } }"""))["createDataset"]!;
        Assert.Null(id["labelKind"]);
        Assert.Empty(id["labels"]!.AsArray());

        await api.RunAsAsync(("ml", "ml-engineer"), Define, new
        {
            input = new { datasetId = id["id"]!.GetValue<string>(), kind = "SEGMENTATION", labels = new object[] { new { name = "liver lesion", value = 2 }, new { name = "liver", value = 1 } } },
        });
        var seen = (await api.RunAsAsync(("ann", "annotator"), "query($id: ID!) { dataset(id: $id) { labelKind labels { name value } } }",
            new { id = id["id"]!.GetValue<string>() }))["dataset"]!;

        Assert.Equal("SEGMENTATION", seen["labelKind"]!.GetValue<string>());
        Assert.Equal("""[{"name":"liver","value":1},{"name":"liver lesion","value":2}]""", seen["labels"]!.ToJsonString());
    }

    [Fact]
    public async Task a_datasets_channels_are_listed_to_an_annotator_in_their_order()
    {
        var id = (await api.RunAsync("""mutation { createDataset(input: { name: "brain" }) { id channels } }"""))["createDataset"]!;
        Assert.Empty(id["channels"]!.AsArray());

        await api.RunAsAsync(("ml", "ml-engineer"), Define, new
        {
            input = new { datasetId = id["id"]!.GetValue<string>(), kind = "SEGMENTATION", labels = new[] { new { name = "tumour", value = 1 } }, channels = new[] { "T1", "T1c", "T2", "FLAIR" } },
        });
        var seen = (await api.RunAsAsync(("ann", "annotator"), "query($id: ID!) { dataset(id: $id) { channels } }",
            new { id = id["id"]!.GetValue<string>() }))["dataset"]!;

        Assert.Equal("""["T1","T1c","T2","FLAIR"]""", seen["channels"]!.ToJsonString());
    }

    [Fact]
    public async Task labels_defined_again_replace_the_earlier_ones()
    {
        var id = (await api.RunAsync("""mutation { createDataset(input: { name: "hips" }) { id } }"""))["createDataset"]!["id"]!.GetValue<string>();
        await api.RunAsync(Define, new { input = new { datasetId = id, kind = "SEGMENTATION", labels = new[] { new { name = "femur", value = 1 } } } });

        var redefined = (await api.RunAsync(Define, new { input = new { datasetId = id, kind = "CLASSIFICATION", labels = new[] { new { name = "fracture" } } } }))["defineDatasetLabels"]!;

        Assert.Equal("CLASSIFICATION", redefined["labelKind"]!.GetValue<string>());
        Assert.Equal("""[{"name":"fracture","value":null}]""", redefined["labels"]!.ToJsonString());
    }

    [Fact]
    public async Task an_annotator_cannot_define_a_datasets_labels()
    {
        var id = (await api.RunAsync("""mutation { createDataset(input: { name: "liver" }) { id } }"""))["createDataset"]!["id"]!.GetValue<string>();

        var refused = await api.PostAsAsync(("ann", "annotator"), Define, new { input = new { datasetId = id, kind = "CLASSIFICATION", labels = new[] { new { name = "fracture" } } } });

        Assert.Equal("FORBIDDEN", refused.FirstErrorCode);
    }

    [Fact]
    public async Task invalid_labels_are_refused_as_invalid_input_with_the_reason()
    {
        var id = (await api.RunAsync("""mutation { createDataset(input: { name: "liver" }) { id } }"""))["createDataset"]!["id"]!.GetValue<string>();

        var refused = await api.PostAsync(Define, new { input = new { datasetId = id, kind = "SEGMENTATION", labels = new[] { new { name = "liver" } } } });

        Assert.Equal(ErrorCodes.InvalidInput, refused.FirstErrorCode);
        Assert.Contains("needs a voxel value from 1 to 255", refused.Errors![0]!["message"]!.GetValue<string>());
    }
}
