using Cl2.Models;
using Cl2.Models.Networks;
using Cl2.Models.Training;
using Cl2.Models.Training.Losses;
using Cl2.Models.Training.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Training;

public sealed class ResumedEpochLossTests : IDisposable
{
    private readonly ComputeDevice _cpu = ComputeDevice.Select("cpu", cpuThreads: 2);
    private readonly string _directory = Directory.CreateTempSubdirectory("cl2-resumed-loss-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static UNet TinyUNet()
    {
        random.manual_seed(4);
        return new UNet(new UNetOptions { SpatialDims = 2, Channels = [4, 8], Strides = [2], NumResUnits = 1 });
    }

    [Fact]
    public void an_epoch_resumed_from_its_last_steps_checkpoint_reports_the_mean_loss_of_all_its_steps()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = SyntheticImages.BrightSquares(8, 16, seed: 3);
        var data = new InMemoryData(images, labels);
        var metrics = new SegmentationMetrics(2, hausdorff: false);
        // 4 steps an epoch, a checkpoint at each epoch's last step: what the worker writes.
        var options = new TrainerOptions { Epochs = 2, BatchSize = 2, LearningRate = 5e-3, Seed = 9, CheckpointEvery = 4, CheckpointDirectory = _directory };

        var continuous = new RecordingProgress();
        using (var trainer = new Trainer(TinyUNet(), new DiceCeLoss(), options with { CheckpointDirectory = null, CheckpointEvery = 0 }, _cpu))
        {
            trainer.Train(data, data, metrics, continuous);
        }

        // Killed after epoch 0's checkpoint, before its report went out (as a worker can be).
        using (var trainer = new Trainer(TinyUNet(), new DiceCeLoss(), options, _cpu))
        {
            var killed = new RecordingProgress(report =>
            {
                if (report.Kind == TrainingProgressKind.EpochValidated)
                {
                    throw new OperationCanceledException("killed");
                }
            });
            Assert.Throws<OperationCanceledException>(() => trainer.Train(data, data, metrics, killed));
        }
        var resumed = new RecordingProgress();
        using (var trainer = new Trainer(TinyUNet(), new DiceCeLoss(), options, _cpu))
        {
            Assert.True(trainer.TryResume());
            trainer.Train(data, data, metrics, resumed);
        }

        var expected = continuous.Epochs.First();
        var first = resumed.Epochs.First();
        Assert.Equal(0, first.Epoch);
        Assert.True(double.IsFinite(first.Loss), "the resumed epoch reported no loss");
        Assert.Equal(expected.Loss, first.Loss, 5);
    }
}
