using System.Runtime.InteropServices;
using Cl2.Models.Networks;
using Cl2.Models.Training.Losses;
using Cl2.Models.Training.Metrics;
using Cl2.Models.Training.Optimizers;
using Cl2.Models.Transforms;
using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Training;

/// <summary>
/// The numbers training hands libtorch (loss terms, augmentation draws, optimizer coefficients) while other threads
/// allocate: the background loader does all the time, and a garbage collection it causes must not free a Scalar that
/// libtorch is reading. Each piece runs many times on more threads than cores while another thread collects and
/// finalizes without pause, and must give exactly what it gives alone.
/// </summary>
public sealed class ConcurrentTrainingMathTests
{
    // Enough calls on more threads than cores that TorchSharp's own AdamW step and the losses as they were written before
    // (implicit Scalars) failed here: "Unknown scalar type", INTERNAL ASSERT in Scalar.h, or other values.
    private const int Threads = 16;
    private const int Rounds = 1000;

    [Fact]
    public void the_held_scalar_adamw_steps_exactly_as_torchsharps_adamw()
    {
        Assert.Equal(Steps(parameters => optim.AdamW(parameters, 0.01, 0.9, 0.999, 1e-8, 0.05)),
            Steps(parameters => new HeldScalarAdamW(parameters, 0.01, 0.9, 0.999, 1e-8, 0.05)));
    }

    [Fact]
    public void the_held_scalar_adam_steps_exactly_as_torchsharps_adam()
    {
        Assert.Equal(Steps(parameters => optim.Adam(parameters, 0.01, 0.9, 0.999, 1e-8, 0.05)),
            Steps(parameters => new HeldScalarAdam(parameters, 0.01, 0.9, 0.999, 1e-8, 0.05)));
    }

    [Fact]
    public async Task losses_augmentation_metrics_and_optimizer_steps_on_sixteen_threads_give_the_values_of_a_lone_run()
    {
        var differed = await DifferencesUnderCollectionsAsync(Pieces(), Threads, Rounds);
        Assert.True(differed.Count == 0, $"{differed.Count} results differed from a lone run: {string.Join("; ", differed.Take(5))}");
    }

    /// <summary>Each piece's values alone, then every piece <paramref name="rounds"/> times on each of <paramref name="threads"/>
    /// threads while another thread collects and finalizes without pause: what differed, or failed in libtorch.</summary>
    internal static async Task<List<string>> DifferencesUnderCollectionsAsync(IReadOnlyDictionary<string, Func<double[]>> pieces, int threads, int rounds)
    {
        Dictionary<string, double[]> expected;
        using (NewDisposeScope())
        {
            expected = pieces.ToDictionary(piece => piece.Key, piece => piece.Value());
        }
        var running = () => Enumerable.Range(0, threads).Select(thread => Task.Factory.StartNew(() =>
        {
            var differing = new List<string>();
            for (var round = 0; round < rounds; round++)
            {
                foreach (var (name, piece) in pieces)
                {
                    try
                    {
                        // A scope holds every intermediate tensor, as the trainer's per-step scope does: an unreachable
                        // tensor could be finalized while libtorch reads it too, which is not what this test is about.
                        using var scope = NewDisposeScope();
                        if (!piece().SequenceEqual(expected[name]))
                        {
                            differing.Add($"{name} (round {round}, thread {thread}): other values");
                        }
                    }
                    catch (ExternalException failure)
                    {
                        differing.Add($"{name} (round {round}, thread {thread}): {failure.Message.Split('\n')[0]}");
                    }
                }
            }
            return differing;
        }, TaskCreationOptions.LongRunning)).ToList();
        var results = await GarbageCollection.WhileCollectingAsync(() => Task.WhenAll(running()).WaitAsync(TimeSpan.FromMinutes(10)));
        return [.. results.SelectMany(names => names)];
    }

    /// <summary>What training computes each step, each on small tensors (so most of the time goes to passing numbers to
    /// libtorch), by name; each gives its values as doubles.</summary>
    internal static Dictionary<string, Func<double[]>> Pieces()
    {
        var logits = linspace(-3, 3, 2 * 3 * 4 * 4).reshape(2, 3, 4, 4);
        // BraTS classes 0-3 for the three regions; 0-2 for three exclusive classes.
        var classes = arange(2 * 4 * 4).remainder(4).reshape(2, 1, 4, 4);
        var exclusive = arange(2 * 4 * 4).remainder(3).reshape(2, 1, 4, 4);
        var binaryLogits = linspace(-2, 2, 8).reshape(8, 1);
        var binaryTargets = arange(8).remainder(2);
        var image = linspace(-1, 1, 2 * 6 * 6 * 6).reshape(2, 6, 6, 6);
        var labels = arange(6 * 6 * 6).remainder(3).reshape(1, 6, 6, 6).to_type(ScalarType.Int64);
        // One module per loss shared by every thread, as a trainer holds one.
        var diceCe = new DiceCeLoss();
        var focal = new FocalLoss();
        var weightedBce = new BinaryCrossEntropyLoss(positiveWeight: 3);
        var layers = new ThreadLocal<TorchSharp.Modules.Linear>(() => nn.Linear(4, 2));
        return new Dictionary<string, Func<double[]>>
        {
            ["Dice + CE loss"] = () => Value(diceCe.forward(logits, exclusive)),
            ["focal loss"] = () => Value(focal.forward(binaryLogits, binaryTargets)),
            ["weighted BCE loss"] = () => Value(weightedBce.forward(binaryLogits, binaryTargets)),
            ["augmentation"] = () =>
            {
                using var scope = NewDisposeScope();
                using var generator = new Generator(7);
                var (augmented, augmentedLabels) = new Augmentation(0.5, 1, 0.2, 0.1, 0.1, 0.1, 1, 0.1).Apply(image, labels, generator);
                return [.. Values(augmented), .. Values(augmentedLabels)];
            },
            ["patches"] = () =>
            {
                using var scope = NewDisposeScope();
                using var generator = new Generator(11);
                var (patch, patchLabels) = Patches.Sample(image, labels, [4, 4, 4], foregroundRatio: 0.5, generator);
                return [.. Values(patch), .. Values(patchLabels)];
            },
            ["region Dice metrics"] = () =>
            {
                var metrics = new RegionDiceMetrics([("tc", [1, 3]), ("wt", [1, 2, 3]), ("et", [3])], RegionPrediction.SigmoidPerRegion);
                metrics.Add(logits, classes);
                return [.. metrics.Compute().OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => pair.Value)];
            },
            ["AdamW steps"] = () => Steps(parameters => new HeldScalarAdamW(parameters, 0.01, 0.9, 0.999, 1e-8, 0.05), layers.Value!),
            ["batch norm training steps"] = () =>
            {
                // Training mode counts batches and updates the running statistics: both read back.
                using var norm = new HeldScalarBatchNorm(3, spatialDims: 2);
                norm.train();
                var first = norm.forward(logits);
                var second = norm.forward(logits.flip(3));
                return [.. Values(first), .. Values(second), .. Values(norm.running_mean!), .. Values(norm.running_var!), .. Values(norm.num_batches_tracked!)];
            },
            ["PReLU"] = () =>
            {
                using var prelu = new HeldScalarPRelu(1, 0.25);
                return Values(prelu.forward(logits));
            },
        };
    }

    /// <summary>Three steps of <paramref name="optimizer"/> on a linear layer (<paramref name="layer"/>, or a new one) with
    /// seeded weights and a fixed loss: its weights after.</summary>
    private static double[] Steps(Func<IEnumerable<TorchSharp.Modules.Parameter>, TorchSharp.Modules.OptimizerHelper> optimizer,
        TorchSharp.Modules.Linear? layer = null)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(3);
        layer ??= nn.Linear(4, 2);
        using (no_grad())
        {
            foreach (var parameter in layer.parameters())
            {
                parameter.copy_(randn(parameter.shape, generator: generator));
            }
        }
        using var steps = optimizer(layer.parameters());
        var input = linspace(-1, 1, 12).reshape(3, 4);
        using Scalar two = 2;
        for (var step = 0; step < 3; step++)
        {
            steps.zero_grad();
            // square() would pass libtorch a Scalar 2 that nothing keeps alive: pow(two), the same operation.
            layer.forward(input).pow(two).sum().backward();
            steps.step();
        }
        return [.. layer.parameters().SelectMany(Values)];
    }

    private static double[] Value(Tensor loss)
    {
        using (loss)
        {
            return [loss.to_type(ScalarType.Float64).item<double>()];
        }
    }

    private static double[] Values(Tensor tensor) => tensor.detach().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
}
