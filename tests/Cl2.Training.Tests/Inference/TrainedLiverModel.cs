using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;
using Cl2.Training.Cli;

namespace Cl2.Training.Tests.Inference;

/// <summary>
/// A liver-ct model trained once per test class by <c>./cl2 train --network small</c> (16 synthetic cases of 32³, 12 epochs: liver Dice
/// about 0.9 on its validation cases), and a held-out synthetic study written with another seed, with its ground truth.
/// </summary>
public sealed class TrainedLiverModel : IDisposable
{
    public TrainedLiverModel()
    {
        using var log = new StringWriter();
        // The workload's small network: these tests are about running a trained model, and SegResNet would take minutes of CPU per class.
        var code = TrainingTool.Run(["train", "--task", "liver-ct", "--synthetic", "16", "--epochs", "12", "--size", "32", "--network", "small", "--out", Root], log, log);
        if (code != TrainingTool.Success)
        {
            throw new InvalidOperationException($"./cl2 train failed: {log}");
        }
        var cohort = SyntheticCohort.Write(WorkloadTask.LiverCt, Path.Combine(Root, "held-out"), cases: 1, seed: 7, size: 32);
        var held = cohort.Cases[0];
        StudyDirectory = Path.Combine(Root, "held-out", held.Id);
        (_, GroundTruth) = LabelVolume.Read(Path.Combine(Root, "held-out", held.Labels!));
    }

    public string Root { get; } = Directory.CreateTempSubdirectory("cl2-liver-model-").FullName;

    public string ModelDirectory => Path.Combine(Root, "model");

    /// <summary>The held-out case's folder: its CT series and its labels.json / labels.u8 beside it.</summary>
    public string StudyDirectory { get; }

    /// <summary>0 background, 1 liver, 2 lesion per voxel of the held-out CT, in (slice, row, column) order.</summary>
    public byte[] GroundTruth { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
