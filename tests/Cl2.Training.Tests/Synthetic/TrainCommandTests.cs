using Cl2.Models.Checkpoints;
using Cl2.Training.Cli;

namespace Cl2.Training.Tests.Synthetic;

public sealed class TrainCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cl2-train-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task cl2_train_prints_the_metrics_table_and_saves_a_checkpoint_that_loads()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = TrainingTool.Run(["train", "--task", "hip-xray", "--synthetic", "8", "--epochs", "1", "--size", "32", "--out", _root], output, error);
        Assert.True(code == TrainingTool.Success, error.ToString());
        Assert.Contains("preparing 8 cases (7 training, 1 validation)", error.ToString());
        Assert.Contains("8 read back from DICOM, 0 already in the cache", error.ToString());
        Assert.Contains("epoch 1/1 loss", error.ToString());
        foreach (var metric in new[] { "auc", "sensitivity", "specificity" })
        {
            Assert.Matches($@"\n  {metric} +(\d\.\d{{3}}|NaN)", output.ToString());
        }
        var (manifest, network) = await Checkpoint.ReadAsync(Path.Combine(_root, "model"), CancellationToken.None);
        using (network)
        {
            Assert.Equal(ArchitectureSpec.DenseNetName, manifest.Architecture.Name);
            Assert.Equal(["fracture"], manifest.Output.Labels);
            Assert.StartsWith("sha256:", manifest.Lineage.TrainingDataDigest);
        }

        // A second run in the same folder reuses the cohort; a different one is refused with what to do.
        using var again = new StringWriter();
        Assert.Equal(TrainingTool.Failure, TrainingTool.Run(["train", "--task", "hip-xray", "--synthetic", "9", "--size", "32", "--out", _root], again, again));
        Assert.Contains("choose another --out or delete it", again.ToString());
    }

    [Fact]
    public async Task cl2_train_resamples_to_the_spacing_asked_for_and_records_it_with_the_patch_in_the_manifest()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        // The 16³ liver cohort's own grid is 23.75 × 23.75 × 15 mm.
        var code = TrainingTool.Run(["train", "--task", "liver-ct", "--synthetic", "4", "--epochs", "1", "--size", "16", "--spacing", "30,30,20",
            "--patch", "8,8,8", "--out", _root], output, error);

        Assert.True(code == TrainingTool.Success, error.ToString());
        Assert.Contains("training grid 30 × 30 × 20 mm (x, y[, z]), samples of 8 × 8 × 8 voxels", error.ToString());
        var (manifest, network) = await Checkpoint.ReadAsync(Path.Combine(_root, "model"), CancellationToken.None);
        using (network)
        {
            Assert.Equal([30.0, 30.0, 20.0], manifest.Input.SpacingMm);
            Assert.Equal([8L, 8, 8], manifest.Lineage.Sampling!.PatchSize);
        }
    }

    [Fact]
    public async Task cl2_train_with_the_small_network_saves_a_checkpoint_of_that_network()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = TrainingTool.Run(["train", "--task", "liver-ct", "--synthetic", "4", "--epochs", "1", "--size", "16", "--network", "small", "--out", _root],
            output, error);

        Assert.True(code == TrainingTool.Success, error.ToString());
        var (manifest, network) = await Checkpoint.ReadAsync(Path.Combine(_root, "model"), CancellationToken.None);
        using (network)
        {
            Assert.Equal(ArchitectureSpec.UNetName, manifest.Architecture.Name);
        }
    }

    [Fact]
    public void cl2_train_refuses_a_spacing_without_a_value_per_axis_before_writing_the_cohort()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = TrainingTool.Run(["train", "--task", "liver-ct", "--synthetic", "4", "--size", "16", "--spacing", "1.5,1.5", "--out", _root], output, error);

        Assert.Equal(TrainingTool.BadUsage, code);
        Assert.Contains("spacing needs 3 values (x, y, z) in mm", error.ToString());
        Assert.False(Directory.Exists(Path.Combine(_root, "cohort")));
    }

    [Fact]
    public void cl2_train_with_bf16_autocast_on_the_cpu_fails_saying_it_needs_cuda()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = TrainingTool.Run(["train", "--task", "hip-xray", "--synthetic", "4", "--epochs", "1", "--size", "32", "--precision", "bf16-autocast", "--out", _root], output, error);

        Assert.Equal(TrainingTool.Failure, code);
        Assert.Contains("bf16-autocast needs a CUDA device", error.ToString());
        Assert.False(Directory.Exists(Path.Combine(_root, "model")));
    }
}
