using Cl2.Models;
using Cl2.Models.Networks;
using Cl2.Models.Training;
using Cl2.Models.Training.Losses;
using Cl2.Models.Training.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Training;

/// <summary>
/// Per-step hygiene on the paths the plain step test does not take: gradient accumulation, a resumable checkpoint
/// after every step (network and optimizer state written), and best-weights saves after validation. Whatever those
/// make must be gone by the next step, or a long run's native memory grows.
/// </summary>
public sealed class TrainerHygieneTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cl2-trainer-hygiene-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void live_tensors_stay_flat_with_accumulation_checkpoints_and_best_weight_saves()
    {
        using var scope = NewDisposeScope();
        var cpu = ComputeDevice.Select("cpu", cpuThreads: 2);
        var (images, labels) = SyntheticImages.BrightSquares(8, 16, seed: 9);
        var data = new InMemoryData(images, labels);
        var live = new List<long>();
        var progress = new RecordingProgress(report =>
        {
            if (report.Kind == TrainingProgressKind.Step)
            {
                live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            }
        });
        var options = new TrainerOptions
        {
            Epochs = 3,
            BatchSize = 2,
            AccumulationSteps = 2,
            CheckpointEvery = 1,
            CheckpointDirectory = _directory,
            EarlyStopping = new EarlyStoppingOptions("mean_dice", Patience: 10),
        };
        random.manual_seed(1);
        var network = new UNet(new UNetOptions { SpatialDims = 2, Channels = [4, 8], Strides = [2], NumResUnits = 1 });
        using var trainer = new Trainer(network, new DiceCeLoss(), options, cpu);

        var result = trainer.Train(data, data, new SegmentationMetrics(2, hausdorff: false), progress);

        Assert.Equal(6, live.Count);
        Assert.True(File.Exists(Path.Combine(_directory, Trainer.BestWeightsPath)), "no best weights were saved, so that path went unchecked");
        Assert.Equal(6, result.State.Step);
        Assert.All(live.Skip(1), count => Assert.Equal(live[0], count));
    }
}
