using Cl2.Models.Training;
using Cl2.Models.Training.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Workloads;

/// <summary>
/// How a workload trains: loss, validation metrics, the metric that says "it learned", optimiser and schedule, sized for
/// a CPU. <c>./cl2 train</c>, the training worker and the learning tests use the same one, so what the tests check is
/// what the tools run.
/// </summary>
public sealed record WorkloadTraining(
    Workload Workload,
    Func<nn.Module<Tensor, Tensor, Tensor>> CreateLoss,
    Func<IReadOnlyList<double>, IValidationMetrics> CreateMetrics,
    string KeyMetric,
    TrainerOptions Options)
{
    /// <summary>The training with a job's own batch size and learning rate (null keeps the workload's); the schedule is sized again.</summary>
    public WorkloadTraining With(int? batchSize, double? learningRate, int trainingCases)
    {
        var batch = batchSize ?? Options.BatchSize;
        return this with
        {
            Options = Options with
            {
                BatchSize = batch,
                LearningRate = learningRate ?? Options.LearningRate,
                Schedule = Cosine(Options.Epochs, trainingCases, batch),
            },
        };
    }

    internal static TrainerOptions Segmentation(int epochs, long seed, int trainingCases) => new()
    {
        Epochs = epochs, BatchSize = 2, LearningRate = 1e-2, Optimizer = OptimizerKind.AdamW, Seed = seed,
        Schedule = Cosine(epochs, trainingCases, 2),
    };

    internal static LearningRateSchedule Cosine(int epochs, int trainingCases, int batchSize)
    {
        var steps = (long)epochs * ((trainingCases + batchSize - 1) / batchSize);
        return steps < 2
            ? new LearningRateSchedule { Kind = LearningRateScheduleKind.Constant }
            : new LearningRateSchedule { Kind = LearningRateScheduleKind.WarmupCosine, WarmupSteps = (int)Math.Clamp(steps / 20, 1, steps - 1), TotalSteps = steps };
    }
}
