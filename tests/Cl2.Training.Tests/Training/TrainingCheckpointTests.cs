using Cl2.Models.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Training;

public sealed class TrainingCheckpointTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"cl2-checkpoint-{Guid.NewGuid():N}");

    public void Dispose()
    {
        foreach (var path in new[] { _directory, _directory + ".previous", _directory + ".partial" })
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
    }

    [Fact]
    public void a_checkpoint_whose_replacement_was_cut_short_is_still_read_from_the_previous_one()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(1);
        var network = nn.Linear(3, 2);
        using var optimizer = optim.AdamW(network.parameters());
        var state = new TrainingState { Epoch = 2, NextBatch = 1, Step = 9, Seed = 4, BestMetric = 0.5, BestEpoch = 1 };
        TrainingCheckpoint.Write(_directory, network, optimizer, state);
        // The moment of a crash during the next write: the old checkpoint moved aside, the new one half written.
        Directory.Move(_directory, _directory + ".previous");
        Directory.CreateDirectory(_directory + ".partial");
        File.WriteAllText(Path.Combine(_directory + ".partial", TrainingCheckpoint.WeightsFileName), "half");

        random.manual_seed(2);
        var restored = nn.Linear(3, 2);
        using var restoredOptimizer = optim.AdamW(restored.parameters());
        Assert.True(TrainingCheckpoint.Exists(_directory));
        Assert.Equal(state, TrainingCheckpoint.Read(_directory, restored, restoredOptimizer));
        Assert.Equal(0, (network.weight! - restored.weight!).abs().max().item<float>());
    }

    [Fact]
    public void a_run_with_no_checkpoint_yet_starts_fresh()
    {
        using var trainer = new Trainer(nn.Linear(2, 1), new Cl2.Models.Training.Losses.BinaryCrossEntropyLoss(),
            new TrainerOptions { CheckpointDirectory = _directory }, Models.ComputeDevice.Select("cpu", 2));
        Assert.False(trainer.TryResume());
        Assert.Equal(0, trainer.State.Step);
    }
}
