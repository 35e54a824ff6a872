using Cl2.Models.Synthetic;
using Cl2.Models.Transforms;
using Cl2.Models.Workloads;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Workloads;

/// <summary>The grid and patch each segmentation workload trains on, and how a job's recipe replaces them.</summary>
public sealed class TrainingGridTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cl2-grid-").FullName;
    private readonly Workload _brain = WorkloadRegistry.For(WorkloadTask.BrainMri);
    private readonly Workload _liver = WorkloadRegistry.For(WorkloadTask.LiverCt);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void a_brain_case_from_a_dataset_is_prepared_on_a_1_mm_grid_with_its_label_resampled_onto_the_same_grid()
    {
        using var scope = NewDisposeScope();
        var cohort = SyntheticCohort.Write(WorkloadTask.BrainMri, _root, cases: 1, seed: 1, size: 16);
        var own = SyntheticTrainingSet.Spacing(_root, cohort.Cases[0], WorkloadTask.BrainMri);
        var (_, ownLabels) = LabelVolume.Read(Path.Combine(_root, cohort.Cases[0].Labels!));
        var sampling = PatchSampling.For(_brain, spacingXyz: null, patchXyz: null)!;

        using var prepared = SyntheticTrainingSet.Sources(_root, cohort.Cases, WorkloadTask.BrainMri, sampling.Spacing)[0].Prepare();

        Assert.Equal([1.0, 1.0, 1.0], prepared.Spacing);
        long[] expected = Resample.OutputSize([16, 16, 16], own, [1.0, 1.0, 1.0]);
        Assert.Equal([4L, .. expected], prepared.Image.shape);
        Assert.Equal([1L, .. expected], prepared.Target.shape);
        // Nearest-neighbour labels: the same classes, covering the same share of the head within a few voxels' rounding.
        Assert.Subset(new HashSet<long>([0, 1, 2, 3]), prepared.Target.to_type(ScalarType.Int64).data<long>().ToHashSet());
        var tumourShare = prepared.Target.gt(0).to_type(ScalarType.Float32).mean().item<float>();
        var ownTumourShare = ownLabels.Count(value => value > 0) / (double)ownLabels.Length;
        Assert.InRange(tumourShare, ownTumourShare * 0.8, ownTumourShare * 1.2);
    }

    [Fact]
    public void the_liver_workload_trains_on_1_5_mm_in_plane_and_2_mm_slices()
    {
        var sampling = PatchSampling.For(_liver, spacingXyz: null, patchXyz: null)!;

        Assert.Equal([2.0, 1.5, 1.5], sampling.Spacing);
        Assert.Equal([64L, 64, 64], sampling.PatchSize);
    }

    [Fact]
    public void a_recipe_spacing_and_patch_listed_x_y_z_replace_the_workloads_in_array_order()
    {
        var sampling = PatchSampling.For(_liver, [0.8, 0.7, 3.0], [96, 80, 32])!;

        Assert.Equal([3.0, 0.7, 0.8], sampling.Spacing);
        Assert.Equal([32L, 80, 96], sampling.PatchSize);
        Assert.Equal(_liver.Sampling!.Augmentation, sampling.Augmentation);
    }

    [Fact]
    public void a_synthetic_cohort_keeps_its_own_grid_unless_a_spacing_is_named()
    {
        Assert.Null(PatchSampling.For(_brain, null, null, onCasesGrid: true)!.Spacing);
        Assert.Equal([2.0, 2.0, 2.0], PatchSampling.For(_brain, [2.0, 2.0, 2.0], null, onCasesGrid: true)!.Spacing);
    }

    [Theory]
    [InlineData(WorkloadTask.LiverCt, new[] { 1.5, 1.5 }, null, "spacing needs 3 values (x, y, z)")]
    [InlineData(WorkloadTask.LiverCt, new[] { 1.5, 0.0, 2.0 }, null, "each above 0 and at most 50")]
    [InlineData(WorkloadTask.BrainMri, null, new[] { 64L, 0L, 64L }, "patch size needs 3 voxel counts (x, y, z), each at least 1")]
    [InlineData(WorkloadTask.HipXray, new[] { 0.5, 0.5 }, null, "hip-xray trains on whole images, not patches")]
    public void a_recipe_spacing_or_patch_the_workload_cannot_use_is_refused_saying_what_it_takes(WorkloadTask task, double[]? spacing, long[]? patch, string says)
    {
        var refused = Assert.Throws<ArgumentException>(() => PatchSampling.For(WorkloadRegistry.For(task), spacing, patch));

        Assert.Contains(says, refused.Message, StringComparison.Ordinal);
    }
}
