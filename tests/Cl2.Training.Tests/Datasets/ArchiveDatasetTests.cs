using System.Formats.Tar;
using Cl2.Dicom;
using Cl2.Models.Checkpoints;
using Cl2.Models.Datasets;
using Cl2.Models.Synthetic;
using Cl2.Models.Transforms;
using Cl2.Models.Workloads;
using Cl2.Training.Datasets;
using Cl2.Training.Jobs;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Datasets;

/// <summary>The pieces a dataset job reads a case with: the mask blob, the grid check, the tensors, and the base check.</summary>
public sealed class ArchiveDatasetTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cl2-dataset-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void a_dataset_without_a_validation_case_is_told_to_fix_a_split_because_every_fifth_case_validates()
    {
        var message = ArchiveDataset.NoUsableCaseMessage("livers", 42, "validation", 3, []);

        Assert.Contains("no usable validation case at data cut 42 (3 usable, 0 skipped)", message, StringComparison.Ordinal);
        Assert.Contains("every fifth case (by id) validates", message, StringComparison.Ordinal);
        Assert.Contains("fixDatasetSplit(input: { datasetId, validationFraction })", message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_dataset_without_a_training_case_names_the_first_skipped_cases_and_no_split()
    {
        var skipped = Enumerable.Range(1, 7).Select(i => (new Guid(i, 0, 0, new byte[8]), $"reason {i}")).ToList();

        var message = ArchiveDataset.NoUsableCaseMessage("livers", 42, "training", 0, skipped);

        Assert.Contains("no usable training case at data cut 42 (0 usable, 7 skipped: case 00000001-", message, StringComparison.Ordinal);
        Assert.Contains("reason 5", message, StringComparison.Ordinal);
        Assert.DoesNotContain("reason 6", message, StringComparison.Ordinal);
        Assert.DoesNotContain("fixDatasetSplit", message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_mask_blob_round_trips_and_lies_on_the_series_it_references()
    {
        var (cohort, manifest) = Cohort();
        var item = manifest.Cases[0];
        var headerPath = Path.Combine(cohort, item.Labels!);
        var archive = Path.Combine(_root, "mask.tar");
        MaskArchive.Pack(headerPath, archive);
        using var stream = File.OpenRead(archive);
        var (header, labels) = MaskArchive.Read(stream, archive);

        var (expectedHeader, expectedLabels) = LabelVolume.Read(headerPath);
        Assert.Equal(expectedLabels, labels);
        Assert.Equal(expectedHeader.Shape, header.Shape);
        Assert.Equal(expectedHeader.ReferencedSeriesInstanceUids, header.ReferencedSeriesInstanceUids);
        var series = LoadFromBytes(Path.Combine(cohort, item.Series["CT"]));
        Assert.Null(MaskGeometry.Mismatch(header, series));

        var (input, target) = TaskTensors.Segmentation(WorkloadRegistry.For(WorkloadTask.LiverCt), [series], labels);
        using (input)
        using (target)
        {
            Assert.Equal([1L, 16, 16, 16], input.shape);
            Assert.Equal(labels.Select(label => (long)label).ToArray(), target.flatten().data<long>().ToArray());
            // CT window −175…250 HU → [0, 1].
            Assert.InRange(input.min().item<float>(), 0f, 0.01f);
            Assert.InRange(input.max().item<float>(), 0.99f, 1f);
        }
    }

    [Fact]
    public void a_mask_off_its_series_grid_says_what_differs()
    {
        var (cohort, manifest) = Cohort();
        var (header, _) = LabelVolume.Read(Path.Combine(cohort, manifest.Cases[0].Labels!));
        var series = DicomSeriesLoader.Load(Path.Combine(cohort, manifest.Cases[0].Series["CT"]));
        var otherSeries = DicomSeriesLoader.Load(Path.Combine(cohort, manifest.Cases[1].Series["CT"]));

        Assert.Contains("origin", MaskGeometry.Mismatch(header with { Origin = [header.Origin[0] + 5, header.Origin[1], header.Origin[2]] }, series));
        Assert.Contains("shape 16×16×8", MaskGeometry.Mismatch(header with { Shape = [16, 16, 8] }, series));
        Assert.Contains("spacing", MaskGeometry.Mismatch(header with { Spacing = [header.Spacing[0] * 2, header.Spacing[1], header.Spacing[2]] }, series));
        Assert.Contains("orientation", MaskGeometry.Mismatch(header with { Orientation = [0, 1, 0, 1, 0, 0] }, series));
        Assert.Contains("Frame of Reference", MaskGeometry.Mismatch(header, otherSeries));
    }

    [Fact]
    public void a_blob_that_is_not_a_mask_archive_is_refused_with_what_it_holds()
    {
        var archive = Path.Combine(_root, "other.tar");
        var folder = Directory.CreateDirectory(Path.Combine(_root, "other")).FullName;
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not a mask");
        TarFile.CreateFromDirectory(folder, archive, includeBaseDirectory: false);
        using (var stream = File.OpenRead(archive))
        {
            var refusal = Assert.Throws<InvalidDataException>(() => MaskArchive.Read(stream, "blob x"));
            Assert.Contains("holds no labels.json (it has: notes.txt)", refusal.Message);
        }
        using var text = new MemoryStream("{\"fracture\": true}"u8.ToArray());
        Assert.Throws<InvalidDataException>(() => MaskArchive.Read(text, "blob y"));
    }

    [Fact]
    public void a_classification_label_round_trips_and_other_json_is_refused_with_the_format_it_needs()
    {
        var label = new ClassificationLabel(ClassificationLabel.CurrentFormat, ["1.2.3"], new Dictionary<string, bool> { ["fracture"] = true });
        var read = ClassificationLabel.Read(label.ToJson(), "blob a");
        Assert.Equal(["1.2.3"], read.ReferencedSeriesInstanceUids);
        Assert.True(read.Labels["fracture"]);

        Assert.Contains("cl2-classification/1", Assert.Throws<InvalidDataException>(() => ClassificationLabel.Read("{\"fracture\": true}"u8.ToArray(), "blob b")).Message);
        Assert.Contains("not a cl2-classification/1 JSON document", Assert.Throws<InvalidDataException>(() => ClassificationLabel.Read([0x1f, 0x8b, 0], "blob c")).Message);
        Assert.Contains("no referenced series",
            Assert.Throws<InvalidDataException>(() => ClassificationLabel.Read((label with { ReferencedSeriesInstanceUids = [] }).ToJson(), "blob d")).Message);
    }

    [Fact]
    public void resizing_to_a_shape_keeps_label_values_and_leaves_a_volume_of_that_shape_as_it_is()
    {
        using var labels = arange(8L).reshape(1, 2, 2, 2);
        using var larger = Resample.ToSize(labels, [4, 4, 4], labels: true);
        Assert.Equal([1L, 4, 4, 4], larger.shape);
        Assert.Equal(Enumerable.Range(0, 8).Select(value => (long)value), larger.flatten().data<long>().ToArray().Distinct().Order());
        using var same = Resample.ToSize(labels, [2, 2, 2], labels: true);
        Assert.True(same.eq(labels).all().item<bool>());
    }

    [Fact]
    public void a_base_version_fits_only_the_task_it_was_trained_for()
    {
        var liver = WorkloadRegistry.For(WorkloadTask.LiverCt);
        var brain = WorkloadRegistry.For(WorkloadTask.BrainMri);
        var lineage = new TrainingLineage(null, null, "test");
        var liverBase = new CheckpointManifest(liver.Architecture, new InputSpec(liver.Channels, [1, 1, 1]), liver.Output, lineage, "");
        var brainBase = new CheckpointManifest(brain.Architecture, new InputSpec(brain.Channels, [1, 1, 1]), brain.Output, lineage, "");

        Assert.Null(TrainingJobRunner.BaseMismatch(liverBase, liver));
        var mismatch = TrainingJobRunner.BaseMismatch(brainBase, liver);
        Assert.Contains("takes 4 channel(s) and gives 3 in 3-D; liver-ct needs 1, 3, 3-D", mismatch);
        Assert.Contains("input channels are T1, T1c, T2, FLAIR; liver-ct's are CT", mismatch);
    }

    private (string Cohort, CohortManifest Manifest) Cohort()
    {
        var cohort = Path.Combine(_root, "cohort");
        return (cohort, SyntheticCohort.Write(WorkloadTask.LiverCt, cohort, cases: 2, seed: 3, size: 16));
    }

    /// <summary>As the worker gets them: each image's Part 10 bytes, parsed from memory.</summary>
    private static LoadedSeries LoadFromBytes(string folder) =>
        DicomSeriesLoader.Load([.. Directory.GetFiles(folder, "*.dcm").Reverse().Select(path => DicomFile.Open(new MemoryStream(File.ReadAllBytes(path))))]);
}
