using Cl2.Labeling.Client;
using Cl2.Models;
using Cl2.Models.Datasets;
using Cl2.Models.Workloads;
using Cl2.Training.Evaluation;
using Cl2.Training.Jobs;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Training;

/// <summary>The evaluation gate's scores of a candidate on held-out cases, where the key metric (hip's AUC) needs both classes.</summary>
public sealed class HeldOutEvaluationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cl2-held-out-").FullName;
    private readonly Workload _hip = WorkloadRegistry.For(WorkloadTask.HipXray);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static CaseSource Radiograph(string key, bool fracture, int seed) => new(key, () =>
    {
        using var generator = new Generator((ulong)seed);
        return new PreparedCase(randn([1, 32, 32], generator: generator), tensor(new[] { fracture ? 1f : 0f }), [1.0, 1.0]);
    });

    private IReadOnlyList<EvaluationSetInput> Score(IReadOnlyList<CaseSource> test, IReadOnlyList<CaseSource> feedback)
    {
        using var cache = new CaseCache(_root, 1 << 24);
        IReadOnlyList<CaseSource> training = [Radiograph("train-0", true, 1), Radiograph("train-1", false, 2)];
        IReadOnlyList<CaseSource> validation = [Radiograph("validation-0", true, 3)];
        foreach (var item in training.Concat(validation).Concat(test).Concat(feedback))
        {
            cache.Ensure(item.Key, item.Prepare);
        }
        using var data = StreamingDataset.Open(null, cache, training, validation, seed: 1, loaderWorkers: 0, prefetchBatches: 1);
        manual_seed(1);
        using var network = _hip.ArchitectureOf(NetworkChoice.Small).Create();
        var recipe = _hip.Training(1, 1, training.Count);
        return HeldOutEvaluation.Score(network, network, new HeldOutCases(test, feedback, []), cache, () => recipe.CreateMetrics(data.Spacing),
            recipe.KeyMetric, data, ComputeDevice.Select("cpu"), CancellationToken.None);
    }

    [Fact]
    public void corrections_that_all_name_one_class_are_left_to_the_test_split_instead_of_failing_the_job()
    {
        var sets = Score(
            [Radiograph("test-0", true, 10), Radiograph("test-1", false, 11), Radiograph("test-2", true, 12)],
            [Radiograph("feedback-0", true, 20), Radiograph("feedback-1", true, 21)]);

        var test = Assert.Single(sets, set => set.Split == EvaluationSplit.Test);
        Assert.Equal(("auc", 3), (test.Metric, test.CaseCount));
        Assert.InRange(test.Candidate, 0, 1);
        Assert.Equal(test.Candidate, test.Production);
        var feedback = Assert.Single(sets, set => set.Split == EvaluationSplit.Feedback);
        Assert.Equal((0, (double?)null), (feedback.CaseCount, feedback.Production));
    }

    [Fact]
    public void corrections_of_both_classes_are_scored()
    {
        var sets = Score(
            [Radiograph("test-0", true, 10), Radiograph("test-1", false, 11)],
            [Radiograph("feedback-0", true, 20), Radiograph("feedback-1", false, 21)]);

        var feedback = Assert.Single(sets, set => set.Split == EvaluationSplit.Feedback);
        Assert.Equal(2, feedback.CaseCount);
        Assert.InRange(feedback.Candidate, 0, 1);
    }

    [Fact]
    public void a_test_split_of_one_class_fails_with_what_to_do()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => Score(
            [Radiograph("test-0", true, 10), Radiograph("test-1", true, 11)],
            [Radiograph("feedback-0", true, 20), Radiograph("feedback-1", false, 21)]));

        Assert.Contains("'auc' on 2 held-out test cases is not defined", refused.Message, StringComparison.Ordinal);
        Assert.Contains("fixDatasetSplit", refused.Message, StringComparison.Ordinal);
    }
}
