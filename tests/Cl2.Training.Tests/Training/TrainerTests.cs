using Cl2.Models;
using Cl2.Models.Networks;
using Cl2.Models.Training;
using Cl2.Models.Training.Losses;
using Cl2.Models.Training.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    private readonly ComputeDevice _cpu = ComputeDevice.Select("cpu", cpuThreads: 2);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"cl2-trainer-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static UNet TinyUNet(int seed, double dropout = 0)
    {
        random.manual_seed(seed);
        return new UNet(new UNetOptions { SpatialDims = 2, Channels = [4, 8], Strides = [2], NumResUnits = 1, Dropout = dropout });
    }

    [Fact]
    public void resuming_from_a_checkpoint_continues_exactly_where_training_stopped()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = SyntheticImages.BrightSquares(8, 16, seed: 3);
        var data = new InMemoryData(images, labels);
        // 4 steps an epoch; the cut at step 6 falls mid-epoch, inside a warm-up + cosine schedule, with dropout
        // drawing from the generator, so the epoch order, the schedule position and the generator all have to come back.
        var options = new TrainerOptions
        {
            Epochs = 3,
            BatchSize = 2,
            LearningRate = 5e-3,
            Schedule = new LearningRateSchedule { Kind = LearningRateScheduleKind.WarmupCosine, WarmupSteps = 2, TotalSteps = 12 },
            Seed = 11,
        };
        var metrics = new SegmentationMetrics(2, hausdorff: false);

        var continuous = TinyUNet(seed: 1, dropout: 0.2);
        using (var trainer = new Trainer(continuous, new DiceCeLoss(), options, _cpu))
        {
            Assert.Equal(12, trainer.Train(data, data, metrics).State.Step);
        }

        var interrupted = options with { MaxSteps = 6, CheckpointEvery = 3, CheckpointDirectory = _directory };
        using (var trainer = new Trainer(TinyUNet(seed: 1, dropout: 0.2), new DiceCeLoss(), interrupted, _cpu))
        {
            var result = trainer.Train(data, data, metrics);
            Assert.Equal(TrainingStopReason.MaxStepsReached, result.Reason);
            Assert.Equal(6, result.State.Step);
        }

        var resumedNetwork = TinyUNet(seed: 99, dropout: 0.2);
        random.manual_seed(1234);
        using (var trainer = new Trainer(resumedNetwork, new DiceCeLoss(), interrupted with { MaxSteps = null }, _cpu))
        {
            Assert.True(trainer.TryResume());
            Assert.Equal(new TrainingState { Epoch = 1, NextBatch = 2, Step = 6, Seed = 11, EpochLossCount = 2, EpochLossSum = trainer.State.EpochLossSum }, trainer.State);
            var result = trainer.Train(data, data, metrics);
            Assert.Equal(TrainingStopReason.Completed, result.Reason);
            Assert.Equal(12, result.State.Step);
        }

        var expected = continuous.state_dict();
        var actual = resumedNetwork.state_dict();
        var largest = expected.Keys.Max(key => (expected[key] - actual[key]).abs().max().item<float>());
        var moved = expected.Keys.Max(key => (expected[key] - TinyUNet(seed: 1, dropout: 0.2).state_dict()[key]).abs().max().item<float>());
        Assert.True(moved > 1e-3, "training did not change the weights, so the comparison proves nothing");
        Assert.True(largest <= 1e-6, $"weights differ by up to {largest}");
    }

    [Fact]
    public void accumulating_two_micro_batches_takes_the_same_step_as_one_batch_of_both()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = SyntheticImages.BrightSquares(8, 8, seed: 4);
        var data = new InMemoryData(images, labels);
        // A large ε makes Adam's update proportional to the gradient, so a wrongly scaled accumulated gradient shows.
        var options = new TrainerOptions { Epochs = 1, LearningRate = 0.1, Epsilon = 10, Seed = 5 };

        nn.Module<Tensor, Tensor> Network()
        {
            random.manual_seed(2);
            return nn.Conv2d(1, 2, 3, padding: 1);
        }
        var whole = Network();
        using (var trainer = new Trainer(whole, new DiceCeLoss(), options with { BatchSize = 4 }, _cpu))
        {
            Assert.Equal(2, trainer.Train(data, data, new SegmentationMetrics(2, hausdorff: false)).State.Step);
        }
        var accumulated = Network();
        using (var trainer = new Trainer(accumulated, new DiceCeLoss(), options with { BatchSize = 2, AccumulationSteps = 2 }, _cpu))
        {
            Assert.Equal(2, trainer.Train(data, data, new SegmentationMetrics(2, hausdorff: false)).State.Step);
        }
        var unscaled = Network();
        using (var trainer = new Trainer(unscaled, new DiceCeLoss(), options with { BatchSize = 2 }, _cpu))
        {
            trainer.Train(data, data, new SegmentationMetrics(2, hausdorff: false));
        }

        var wholeWeight = whole.parameters().First();
        var difference = (wholeWeight - accumulated.parameters().First()).abs().max().item<float>();
        Assert.True(difference < 1e-6, $"accumulated weights differ by {difference}");
        Assert.True((wholeWeight - unscaled.parameters().First()).abs().max().item<float>() > 1e-4, "four small steps land where two large ones do");
    }

    [Fact]
    public void live_tensors_do_not_grow_from_step_to_step()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = SyntheticImages.BrightSquares(8, 16, seed: 6);
        var data = new InMemoryData(images, labels);
        var live = new List<long>();
        var progress = new RecordingProgress(report =>
        {
            if (report.Kind == TrainingProgressKind.Step)
            {
                live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            }
        });
        using var trainer = new Trainer(TinyUNet(seed: 1), new DiceCeLoss(), new TrainerOptions { Epochs = 3, BatchSize = 2 }, _cpu);
        trainer.Train(data, data, new SegmentationMetrics(2), progress);

        Assert.Equal(12, live.Count);
        // Every step and every validation (after steps 4 and 8) disposes of all it made.
        Assert.All(live.Skip(1), count => Assert.Equal(live[0], count));
    }

    [Fact]
    public void training_stops_early_when_the_validation_metric_stops_improving_for_the_patience()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = SyntheticImages.BrightSquares(4, 8, seed: 7);
        var data = new InMemoryData(images, labels);
        var progress = new RecordingProgress();
        // A learning rate of 0 freezes the weights, so the metric never improves after the first epoch.
        var options = new TrainerOptions
        {
            Epochs = 10, BatchSize = 2, LearningRate = 0,
            EarlyStopping = new EarlyStoppingOptions("mean_dice", Patience: 2),
            CheckpointDirectory = _directory,
        };
        using var trainer = new Trainer(nn.Conv2d(1, 2, 3, padding: 1), new DiceCeLoss(), options, _cpu);
        var result = trainer.Train(data, data, new SegmentationMetrics(2, hausdorff: false), progress);

        Assert.Equal(TrainingStopReason.EarlyStopped, result.Reason);
        Assert.Equal(3, result.State.Epoch);
        Assert.Equal(0, result.State.BestEpoch);
        Assert.Equal(result.LastMetrics["mean_dice"], result.BestMetrics!["mean_dice"]);
        Assert.Equal([0, 1, 2], progress.Epochs.Select(e => e.Epoch));
        Assert.True(File.Exists(Path.Combine(_directory, Trainer.BestWeightsPath)));
        Assert.True(TrainingCheckpoint.Exists(Path.Combine(_directory, Trainer.ResumeFolder)));
    }

    [Fact]
    public void progress_reports_each_step_with_its_learning_rate_and_each_epoch_with_its_metrics()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = SyntheticImages.BrightSquares(4, 8, seed: 8);
        var data = new InMemoryData(images, labels);
        var progress = new RecordingProgress();
        var options = new TrainerOptions
        {
            Epochs = 2, BatchSize = 1, AccumulationSteps = 3, LearningRate = 0.01,
            Schedule = new LearningRateSchedule { Kind = LearningRateScheduleKind.WarmupPolynomial, WarmupSteps = 1, TotalSteps = 4, Power = 1 },
        };
        using var trainer = new Trainer(nn.Conv2d(1, 2, 3, padding: 1), new DiceCeLoss(), options, _cpu);
        trainer.Train(data, data, new SegmentationMetrics(2), progress);

        // Four micro-batches an epoch in groups of three: two steps, the second of one micro-batch.
        Assert.Equal([(0, 1L), (0, 2L), (1, 3L), (1, 4L)], progress.Steps.Select(s => (s.Epoch, s.Step)));
        double[] expected = [0.01, 0.01, 0.01 * 2 / 3, 0.01 / 3];
        Assert.All(expected.Zip(progress.Steps), pair => Assert.Equal(pair.First, pair.Second.LearningRate, 12));
        Assert.All(progress.Steps, s => Assert.True(double.IsFinite(s.Loss) && s.Loss > 0));
        Assert.All(progress.Epochs, e => Assert.Contains("mean_hd95", e.Metrics.Keys));
    }

    [Fact]
    public void a_bfloat16_run_trains_on_the_cpu()
    {
        using var scope = NewDisposeScope();
        var (images, labels) = SyntheticImages.Bars(16, 8, seed: 9);
        var data = new InMemoryData(images, labels);
        random.manual_seed(3);
        var network = nn.Sequential(nn.Flatten(), nn.Linear(64, 1));
        var progress = new RecordingProgress();
        var options = new TrainerOptions { Epochs = 5, BatchSize = 4, LearningRate = 0.05, Precision = TrainingPrecision.BFloat16 };
        using var trainer = new Trainer(network, new BinaryCrossEntropyLoss(), options, _cpu);
        trainer.Train(data, data, new ClassificationMetrics(), progress);

        Assert.Equal(ScalarType.BFloat16, network.parameters().First().dtype);
        var epochLosses = progress.Epochs.Select(e => e.Loss).ToList();
        Assert.True(epochLosses[^1] < epochLosses[0] * 0.8, $"epoch losses {string.Join(", ", epochLosses)}");
    }
}
