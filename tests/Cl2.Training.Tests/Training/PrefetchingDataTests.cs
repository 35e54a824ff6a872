using Cl2.Models.Datasets;
using Cl2.Models.Training;
using Cl2.Models.Transforms;
using Cl2.Models.Workloads;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Training;

/// <summary>Patches from the case cache, made on loader threads or on the training thread.</summary>
public sealed class PrefetchingDataTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cl2-prefetch-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private (CaseCache Cache, List<CaseSource> Cases) Cases(int count)
    {
        var cache = new CaseCache(_root, 1 << 24);
        var cases = Enumerable.Range(0, count).Select(index => new CaseSource($"case-{index}", () =>
        {
            using var generator = new Generator((ulong)index + 1);
            var labels = zeros([1, 12, 12, 12], ScalarType.Int64);
            labels[.., 4..8, 4..8, 4..8] = tensor(1L);
            return new PreparedCase(randn([1, 12, 12, 12], generator: generator), labels, [1.0, 1.0, 1.0]);
        })).ToList();
        return (cache, cases);
    }

    private static readonly PatchSampling Sampling = new([8, 8, 8], 0.5, Augmentation.Segmentation3D);

    [Fact]
    public void data_disposed_twice_after_an_epoch_was_planned_is_disposed_once_without_an_error()
    {
        var data = new PrefetchingData(new Zeros(), workers: 1, depth: 2);
        data.PlanEpoch(0, [0, 1, 2, 3], batchSize: 2, firstBatch: 0);
        var (input, target) = data.GetBatch([0, 1]);
        input.Dispose();
        target.Dispose();

        data.Dispose();
        var again = Record.Exception(data.Dispose);

        Assert.Null(again);
    }

    [Fact]
    public void batches_made_on_loader_threads_equal_those_made_on_the_training_thread()
    {
        var (cache, cases) = Cases(6);
        using (cache)
        {
            int[] order = [3, 1, 5, 0, 2, 4];
            var patches = new PatchData(cache, cases, seed: 7, Sampling, [8, 8, 8]);
            using var background = new PrefetchingData(patches, workers: 2, depth: 2);
            using var inline = new PrefetchingData(patches, workers: 0, depth: 1);
            background.PlanEpoch(4, order, 2, 0);
            inline.PlanEpoch(4, order, 2, 0);
            for (var start = 0; start < order.Length; start += 2)
            {
                using var scope = NewDisposeScope();
                var (input, target) = background.GetBatch(order[start..(start + 2)]);
                var (expectedInput, expectedTarget) = inline.GetBatch(order[start..(start + 2)]);
                Assert.Equal([2L, 1, 8, 8, 8], input.shape);
                Assert.True(input.eq(expectedInput).all().item<bool>(), $"batch at {start} differs");
                Assert.True(target.eq(expectedTarget).all().item<bool>());
            }
        }
    }

    [Fact]
    public void another_epoch_draws_other_patches_of_the_same_cases()
    {
        var (cache, cases) = Cases(2);
        using (cache)
        {
            var patches = new PatchData(cache, cases, seed: 7, Sampling, [8, 8, 8]);
            var (first, firstTarget) = patches.Batch([0, 1], epoch: 0);
            var (second, secondTarget) = patches.Batch([0, 1], epoch: 1);
            using (first)
            using (firstTarget)
            using (second)
            using (secondTarget)
            {
                Assert.False(first.eq(second).all().item<bool>());
            }
        }
    }

    [Fact]
    public void a_case_smaller_than_the_patch_is_padded_with_background()
    {
        var (cache, cases) = Cases(1);
        using (cache)
        {
            var patches = new PatchData(cache, cases, seed: 1, new PatchSampling([16, 16, 16], 1.0, Augmentation.None), [16, 16, 16]);
            var (input, target) = patches.Batch([0], epoch: 0);
            using (input)
            using (target)
            {
                Assert.Equal([1L, 1, 16, 16, 16], input.shape);
                Assert.Equal(0, input[.., .., 12.., .., ..].abs().sum().item<float>());
                Assert.Equal(64, target.sum().item<long>());
            }
        }
    }

    private sealed class Zeros : ISampledData
    {
        public int Count => 4;

        public (Tensor Input, Tensor Target) Batch(IReadOnlyList<int> indices, int epoch) =>
            (zeros(indices.Count, 1, 4, 4), zeros(indices.Count, 1, 4, 4));
    }
}
