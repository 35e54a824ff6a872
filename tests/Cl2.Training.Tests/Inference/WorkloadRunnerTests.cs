using Cl2.Models;
using Cl2.Models.Inference;
using Cl2.Models.Workloads;

namespace Cl2.Training.Tests.Inference;

/// <summary>The runner on a model <c>./cl2 train</c> made and a synthetic study it never saw.</summary>
public sealed class WorkloadRunnerTests(TrainedLiverModel model) : IClassFixture<TrainedLiverModel>
{
    private readonly ComputeDevice _cpu = ComputeDevice.Select("cpu");

    [Fact]
    public async Task the_liver_workload_segments_a_held_out_study_close_to_its_ground_truth()
    {
        using var runner = await WorkloadRunner.LoadAsync(WorkloadRegistry.Get("liver-ct"), model.ModelDirectory, _cpu, CancellationToken.None);
        var skipped = new List<string>();
        var result = runner.Run(WorkloadRunner.ReadStudy(model.StudyDirectory, skipped));

        var segmentation = Assert.IsType<SegmentationOutput>(result.Segmentation);
        Assert.Equal(model.GroundTruth.Length, segmentation.Classes.Length);
        var liver = Dice(segmentation.Classes.Select(c => c is 1 or 2).ToArray(), model.GroundTruth.Select(c => c is 1 or 2).ToArray());
        // Observed about 0.9; the model's own validation Dice after 12 epochs is about the same.
        Assert.True(liver >= 0.8, $"liver Dice {liver:F3}");
        Assert.Equal(["liver", "liver lesion"], segmentation.Segments.Select(segment => segment.Segment.Name));
        Assert.Equal(segmentation.Classes.Count(c => c == 1), segmentation.Segments[0].Voxels);
        // The ground truth files beside the series are not DICOM and are left out, not refused.
        Assert.Contains(skipped, path => path.EndsWith("labels.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task the_result_refers_to_every_source_image_in_slice_order()
    {
        using var runner = await WorkloadRunner.LoadAsync(WorkloadRegistry.Get("liver-ct"), model.ModelDirectory, _cpu, CancellationToken.None);
        var result = runner.Run(model.StudyDirectory);

        var source = Assert.Single(result.Sources);
        Assert.Equal("CT", source.Selection.Rule.Name);
        Assert.Equal(32, source.Instances.Count);
        Assert.Equal(source.Geometry.Slices.Select(slice => slice.Id),
            source.Instances.Select(instance => instance.GetString(Cl2.Dicom.DicomTags.SOPInstanceUID).Trim()));
        Assert.Equal(32 * 32 * 32, result.Segmentation!.Depth * result.Segmentation.Height * result.Segmentation.Width);
    }

    [Fact]
    public async Task a_liver_model_is_refused_for_the_brain_workload_naming_what_does_not_fit()
    {
        var refused = await Assert.ThrowsAsync<WorkloadException>(() =>
            WorkloadRunner.LoadAsync(WorkloadRegistry.Get("brain-mri"), model.ModelDirectory, _cpu, CancellationToken.None));
        Assert.Equal(WorkloadErrorCodes.ManifestDoesNotFit, refused.Code);
        Assert.Contains("takes 1 channel(s) and gives 3 in 3-D; brain-mri needs 4, 3, 3-D", refused.Message);
        Assert.Contains("input channels are CT; brain-mri's are T1, T1c, T2, FLAIR", refused.Message);
    }

    [Fact]
    public async Task a_folder_without_a_manifest_is_refused_saying_what_a_model_folder_holds()
    {
        var refused = await Assert.ThrowsAsync<WorkloadException>(() =>
            WorkloadRunner.LoadAsync(WorkloadRegistry.Get("liver-ct"), model.StudyDirectory, _cpu, CancellationToken.None));
        Assert.Equal(WorkloadErrorCodes.ModelUnreadable, refused.Code);
        Assert.Contains("has no manifest.json", refused.Message);
    }

    private static double Dice(bool[] predicted, bool[] truth)
    {
        var both = predicted.Zip(truth).Count(pair => pair.First && pair.Second);
        var total = predicted.Count(value => value) + truth.Count(value => value);
        return total == 0 ? 1 : 2.0 * both / total;
    }
}
