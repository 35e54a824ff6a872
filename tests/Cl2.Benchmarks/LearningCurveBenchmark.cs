using System.Diagnostics;
using System.Globalization;
using Cl2.Models;
using Cl2.Models.Synthetic;
using Cl2.Models.Training;
using Cl2.Models.Workloads;
using Cl2.Training.Scoring;
using static TorchSharp.torch;

namespace Cl2.Benchmarks;

/// <summary>
/// `./cl2 bench learning-curve [pool] [test] [start] [step] [rounds] [epochs] [size] [svg]`: the held-out Dice of the
/// liver workload against the number of labelled cases, when the cases to label next are chosen at random and when they
/// are the ones the current model is least sure of (the worker's <c>entropy</c> scoring, as <c>nextCase</c> hands them
/// out). Both start from the same seeded random labelled set; each point is a model trained from the same seeded weights
/// with the workload's recipe (what the worker runs) on the labelled cases and scored on a fixed test set the strategies
/// never pick from. Writes the table to the console and the curve as an SVG (default docs/learning-curve-liver.svg).
/// </summary>
public static class LearningCurveBenchmark
{
    private const int Seed = 5;

    public static Task<int> RunAsync(string[] args)
    {
        int Argument(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
        var (poolSize, testSize, start, step, rounds, epochs, size) = (Argument(0, 24), Argument(1, 6), Argument(2, 2), Argument(3, 2), Argument(4, 4), Argument(5, 6), Argument(6, 16));
        var svgPath = args.Length > 7 ? args[7] : Path.Combine(Repository.Root, "docs", "learning-curve-liver.svg");
        var task = WorkloadTask.LiverCt;
        var workload = WorkloadRegistry.For(task);
        var device = ComputeDevice.Select("cpu");
        var work = Directory.CreateTempSubdirectory("cl2-bench-curve-").FullName;
        try
        {
            var clock = Stopwatch.StartNew();
            var cohort = SyntheticCohort.Write(task, work, poolSize + testSize, Seed, size);
            var pool = cohort.Cases.Take(poolSize).ToList();
            var test = cohort.Cases.Skip(poolSize).ToList();
            using var scope = NewDisposeScope();
            var (poolInputs, poolTargets) = SyntheticTrainingSet.Load(work, pool, task);
            var (testInputs, testTargets) = SyntheticTrainingSet.Load(work, test, task);
            var spacing = SyntheticTrainingSet.Spacing(work, pool[0], task);
            var order = Shuffled(Enumerable.Range(0, poolSize), new Random(Seed));
            var initial = order.Take(start).ToList();
            Console.WriteLine($"learning curve: {task.Name()} at {size}³, pool {poolSize}, test {testSize}, {start} labelled then {step} more a round for {rounds} rounds, "
                + $"{epochs} epochs from the same seeded weights each time, on {device.Description}");

            Dictionary<string, List<(int Labels, double Dice)>> curves = [];
            foreach (var strategy in new[] { "random", EntropyScoring.MethodName })
            {
                var labelled = new List<int>(initial);
                var randomOrder = new Queue<int>(order.Skip(start));
                var points = new List<(int, double)>();
                for (var round = 0; round <= rounds; round++)
                {
                    random.manual_seed(Seed);
                    using var network = workload.CreateNetwork();
                    var dice = Train(network, workload, labelled, poolInputs, poolTargets, testInputs, testTargets, spacing, epochs, device);
                    points.Add((labelled.Count, dice));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {strategy,-8} {labelled.Count,3} labels: test {workload.Training(epochs, Seed, labelled.Count).KeyMetric} {dice:F4}   ({clock.Elapsed.TotalSeconds:F0} s)"));
                    if (round == rounds)
                    {
                        break;
                    }
                    var picked = strategy == "random"
                        ? [.. Enumerable.Range(0, step).Select(_ => randomOrder.Dequeue())]
                        : MostUncertain(network, poolInputs, labelled, step, device);
                    labelled.AddRange(picked);
                    randomOrder = new Queue<int>(randomOrder.Where(index => !picked.Contains(index)));
                }
                curves[strategy] = points;
            }

            Console.WriteLine();
            Console.WriteLine("| labelled cases | random | entropy |");
            Console.WriteLine("|---:|---:|---:|");
            foreach (var (random, entropy) in curves["random"].Zip(curves[EntropyScoring.MethodName]))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {random.Labels} | {random.Dice:F4} | {entropy.Dice:F4} |"));
            }
            File.WriteAllText(svgPath, LineChartSvg.Render($"{task.Name()}: held-out Dice against labelled cases ({size}³, {epochs} epochs)",
                "labelled cases", "Dice on the test set",
                [
                    new("random", "#1f77b4", [.. curves["random"].Select(point => ((double)point.Labels, point.Dice))]),
                    new("entropy", "#d62728", [.. curves[EntropyScoring.MethodName].Select(point => ((double)point.Labels, point.Dice))]),
                ]));
            Console.WriteLine($"wrote {svgPath} ({clock.Elapsed.TotalSeconds:F0} s in all)");
            return Task.FromResult(0);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Trains the (freshly seeded) network on the labelled cases; its Dice on the test set.</summary>
    private static double Train(nn.Module<Tensor, Tensor> network, Workload workload, List<int> labelled, Tensor poolInputs, Tensor poolTargets,
        Tensor testInputs, Tensor testTargets, IReadOnlyList<double> spacing, int epochs, ComputeDevice device)
    {
        using var scope = NewDisposeScope();
        using var indices = tensor(labelled.Select(index => (long)index).ToArray());
        var recipe = workload.Training(epochs, Seed, labelled.Count);
        using var trainer = new Trainer(network, recipe.CreateLoss(), recipe.Options, device);
        var result = trainer.Train(new InMemoryData(poolInputs.index_select(0, indices), poolTargets.index_select(0, indices)),
            new InMemoryData(testInputs, testTargets), recipe.CreateMetrics(spacing));
        return result.LastMetrics[recipe.KeyMetric];
    }

    /// <summary>The <paramref name="count"/> unlabelled pool cases with the highest mean entropy under the network.</summary>
    private static List<int> MostUncertain(nn.Module<Tensor, Tensor> network, Tensor poolInputs, List<int> labelled, int count, ComputeDevice device)
    {
        var entropy = new EntropyScoring();
        var scores = new List<(int Index, double Score)>();
        for (var index = 0; index < poolInputs.shape[0]; index++)
        {
            if (labelled.Contains(index))
            {
                continue;
            }
            using var scope = NewDisposeScope();
            var input = poolInputs[index].unsqueeze(0).to(device.Device);
            scores.Add((index, entropy.Score(network, network.forward, input)));
        }
        return [.. scores.OrderByDescending(score => score.Score).ThenBy(score => score.Index).Take(count).Select(score => score.Index)];
    }

    private static List<int> Shuffled(IEnumerable<int> items, Random random)
    {
        var list = items.ToList();
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list));
        return list;
    }
}
