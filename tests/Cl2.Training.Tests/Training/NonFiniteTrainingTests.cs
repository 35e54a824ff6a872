using Cl2.Models;
using Cl2.Models.Checkpoints;
using Cl2.Models.Networks;
using Cl2.Models.Training;
using Cl2.Models.Training.Losses;
using Cl2.Models.Training.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Training;

public sealed class NonFiniteTrainingTests
{
    private readonly ComputeDevice _cpu = ComputeDevice.Select("cpu", cpuThreads: 2);

    private static readonly UNetOptions Tiny = new() { SpatialDims = 2, Channels = [4, 8], Strides = [2], NumResUnits = 1 };

    private static UNet TinyUNet()
    {
        random.manual_seed(5);
        return new UNet(Tiny);
    }

    private static TrainerOptions Options(int maxNonFinite) =>
        new() { Epochs = 2, BatchSize = 2, LearningRate = 1e-2, Seed = 3, MaxNonFiniteSteps = maxNonFinite };

    [Fact]
    public void a_step_with_a_nan_loss_is_skipped_and_changes_no_weight()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = SyntheticImages.BrightSquares(4, 16, seed: 3);
        var data = new InMemoryData(images, labels);
        var network = TinyUNet();
        var before = network.state_dict().ToDictionary(entry => entry.Key, entry => entry.Value.clone());
        // Every loss is NaN and only one may be skipped: the first step is skipped, the second fails the run.
        using var trainer = new Trainer(network, new PoisonedLoss(new DiceCeLoss(), PoisonedLoss.Kind.NanLoss, fromStep: 0), Options(1), _cpu);

        var failure = Assert.Throws<NonFiniteTrainingException>(() => trainer.Train(data, data, new SegmentationMetrics(2, hausdorff: false)));

        Assert.Equal(1, trainer.State.NonFiniteSteps);
        Assert.Equal((0, 1L), (failure.Epoch, failure.Step));
        foreach (var (name, value) in network.state_dict())
        {
            Assert.True(value.equal(before[name]).all().item<bool>(), $"{name} changed although every step was skipped");
        }
    }

    [Fact]
    public void a_few_non_finite_steps_within_the_allowance_are_skipped_and_training_finishes_finite()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = SyntheticImages.BrightSquares(8, 16, seed: 3);
        var data = new InMemoryData(images, labels);
        var network = TinyUNet();
        // Steps 1 and 2 (of 8) get a NaN loss; three are allowed.
        var loss = new PoisonedLoss(new DiceCeLoss(), PoisonedLoss.Kind.NanLoss, fromStep: 1, untilStep: 3);
        using var trainer = new Trainer(network, loss, Options(3), _cpu);

        var result = trainer.Train(data, data, new SegmentationMetrics(2, hausdorff: false));

        Assert.Equal(TrainingStopReason.Completed, result.Reason);
        Assert.Equal(2, result.State.NonFiniteSteps);
        NonFiniteWeightsException.ThrowIfAny(network);
    }

    [Fact]
    public void a_non_finite_gradient_under_a_finite_loss_fails_the_run_naming_epoch_step_and_the_first_parameter()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = SyntheticImages.BrightSquares(8, 16, seed: 3);
        var data = new InMemoryData(images, labels);
        using var trainer = new Trainer(TinyUNet(), new PoisonedLoss(new DiceCeLoss(), PoisonedLoss.Kind.NanGradient, fromStep: 5),
            Options(0), _cpu);

        var failure = Assert.Throws<NonFiniteTrainingException>(() => trainer.Train(data, data, new SegmentationMetrics(2, hausdorff: false)));

        Assert.Equal((1, 5L), (failure.Epoch, failure.Step));
        Assert.Equal("model.0.conv.unit0.conv.weight", failure.Parameter);
        Assert.StartsWith("NON_FINITE_LOSS: the loss was ", failure.Message, StringComparison.Ordinal);
        Assert.Contains("at epoch 1, step 5; the first non-finite gradient was model.0.conv.unit0.conv.weight's", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_checkpoint_with_a_nan_weight_is_refused_before_anything_is_written()
    {
        using var scope = NewDisposeScope();
        var network = TinyUNet();
        using (no_grad())
        {
            network.parameters().First().view(-1)[3] = float.NaN;
        }
        var directory = Directory.CreateTempSubdirectory("cl2-nan-checkpoint-").FullName;
        try
        {
            var refused = await Assert.ThrowsAsync<NonFiniteWeightsException>(() => Checkpoint.WriteAsync(network, TinyManifest(), directory,
                CancellationToken.None));

            Assert.Equal("model.0.conv.unit0.conv.weight", refused.Name);
            Assert.Contains("1 of 36 values", refused.Message, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static CheckpointManifest TinyManifest() => new(
        ArchitectureSpec.Of(Tiny),
        new InputSpec([new InputChannel("CT", new IntensityNormalisation(IntensityNormalisationKind.ZScoreNonZero))], [1.0, 1.0]),
        new OutputSpec(OutputKind.Segmentation, ["background", "square"]),
        new TrainingLineage(null, null, "test"),
        WeightsDigest: "");

    /// <summary>
    /// A loss that turns non-finite from a given call on: its value (NaN), or only its gradient (the value stays right;
    /// the gradient of √|x − x| at 0 is ∞ · 0 = NaN), so the trainer's two checks are each exercised alone.
    /// </summary>
    private sealed class PoisonedLoss(nn.Module<Tensor, Tensor, Tensor> inner, PoisonedLoss.Kind kind, int fromStep, int untilStep = int.MaxValue)
        : nn.Module<Tensor, Tensor, Tensor>("poisoned")
    {
        public enum Kind
        {
            NanLoss,
            NanGradient,
        }

        private int _calls;

        public override Tensor forward(Tensor output, Tensor target)
        {
            var value = inner.forward(output, target);
            var step = _calls++;
            if (step < fromStep || step >= untilStep)
            {
                return value;
            }
            return kind == Kind.NanLoss ? value * float.NaN : value + (output - output.detach()).abs().sqrt().sum();
        }
    }
}
