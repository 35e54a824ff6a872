using Cl2.Models.Inference;
using Cl2.Models.Workloads;

namespace Cl2.Training.Tests.Inference;

/// <summary>The brain workload's region outputs (TC, WT, ET) become BraTS' exclusive classes, and those a valid SEG.</summary>
public sealed class BrainResultObjectsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cl2-brain-seg-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task a_brain_result_decoded_from_its_regions_encodes_a_segmentation_that_dciodvfy_accepts()
    {
        var (study, spacing) = UntrainedRunners.Case(WorkloadTask.BrainMri, _root, size: 16);
        using var runner = UntrainedRunners.For(WorkloadTask.BrainMri, spacing);

        var result = runner.Run(study);
        var objects = ResultObjects.Write(result, "brain-study/untrained", "v1", DateTimeOffset.Now);

        var segmentation = result.Segmentation!;
        Assert.Equal(["necrotic tumour core", "peritumoral oedema", "enhancing tumour"], segmentation.Segments.Select(segment => segment.Segment.Name));
        Assert.All(segmentation.Segments, segment => Assert.Equal(segmentation.Classes.Count(c => c == segment.Segment.Label), segment.Voxels));
        Assert.All(segmentation.Classes, c => Assert.InRange(c, 0, 3));
        var path = Path.Combine(_root, "seg.dcm");
        objects.Segmentation!.Save(path);
        await InferCommandTests.AssertNoDciodvfyErrorsAsync(path, "Segmentation");
    }
}
