using Cl2.Dicom;
using Cl2.Models;
using Cl2.Models.Inference;

namespace Cl2.Training.Tests.Inference;

/// <summary><see cref="ResultObjects"/>, the one encoder of a workload result that <c>./cl2 infer</c> and the inference
/// service share.</summary>
public sealed class ResultObjectsTests(TrainedLiverModel model) : IClassFixture<TrainedLiverModel>
{
    [Fact]
    public async Task encoding_a_result_again_for_the_same_scope_reuses_its_sop_instance_uids()
    {
        var result = await RunAsync();

        var first = ResultObjects.Write(result, "study-1/version-1", "v1", DateTimeOffset.Now);
        var again = ResultObjects.Write(result, "study-1/version-1", "v1", DateTimeOffset.Now.AddHours(1));

        Assert.Equal(SopInstanceUid(first.Segmentation!), SopInstanceUid(again.Segmentation!));
        Assert.Equal(SopInstanceUid(first.Report), SopInstanceUid(again.Report));
    }

    [Fact]
    public async Task another_scope_gives_other_sop_instance_uids()
    {
        var result = await RunAsync();

        var first = ResultObjects.Write(result, "study-1/version-1", "v1", DateTimeOffset.Now);
        var other = ResultObjects.Write(result, "study-1/version-2", "v2", DateTimeOffset.Now);

        Assert.NotEqual(SopInstanceUid(first.Segmentation!), SopInstanceUid(other.Segmentation!));
        Assert.NotEqual(SopInstanceUid(first.Report), SopInstanceUid(other.Report));
    }

    [Fact]
    public async Task the_segmentation_content_holds_the_runners_masks()
    {
        var result = await RunAsync();

        var objects = ResultObjects.Write(result, "study-1/version-1", "v1", DateTimeOffset.Now);

        Assert.Equal(result.Segmentation!.Segments.Count, objects.SegmentationContent!.Segments.Count);
        foreach (var (mine, written) in result.Segmentation.Segments.Zip(objects.SegmentationContent.Segments))
        {
            Assert.Equal(mine.Segment.Name, written.Segment.Label);
            Assert.True(mine.Mask.AsSpan().SequenceEqual(written.Voxels), $"segment {mine.Segment.Name} differs");
        }
    }

    private async Task<WorkloadResult> RunAsync()
    {
        using var runner = await WorkloadRunner.LoadAsync(null, model.ModelDirectory, ComputeDevice.Select("cpu"), CancellationToken.None);
        return runner.Run(model.StudyDirectory);
    }

    private static string SopInstanceUid(DicomFile file) => file.Dataset.GetString(DicomTags.SOPInstanceUID);
}
