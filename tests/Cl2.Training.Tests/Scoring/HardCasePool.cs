using Cl2.Models.Networks;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Scoring;

/// <summary>
/// A synthetic pool with a known hard subset: 32×32 images of one bright disc to segment. Easy cases have full contrast
/// and little noise; hard ones (every fifth) a faint disc in heavy noise. A small 2-D U-Net with dropout is trained on
/// easy cases only (as a first model trained on the clear cases would be), then scores the pool.
/// </summary>
public sealed class HardCasePool : IDisposable
{
    public const int PoolSize = 100;
    public const int Side = 32;

    public HardCasePool()
    {
        random.manual_seed(20);
        var generator = new Random(20);
        Network = new UNet(new UNetOptions { SpatialDims = 2, Channels = [8, 16, 32], Strides = [2, 2], NumResUnits = 1, Dropout = 0.2 });
        Train(generator);
        Hard = [.. Enumerable.Range(0, PoolSize).Select(index => index % 5 == 0)];
        Images = [.. Hard.Select(hard => Case(generator, hard).Image)];
    }

    public UNet Network { get; }

    /// <summary>Whether each case of the pool is one of the hard ones.</summary>
    public IReadOnlyList<bool> Hard { get; }

    /// <summary>Each case as 1×1×32×32.</summary>
    public IReadOnlyList<Tensor> Images { get; }

    /// <summary>The share of hard cases among the <paramref name="picks"/> a strategy would hand out first.</summary>
    public double HardRate(IEnumerable<int> picks) => picks.Average(index => Hard[index] ? 1.0 : 0.0);

    private void Train(Random generator)
    {
        using var optimiser = optim.Adam(Network.parameters(), lr: 0.01);
        Network.train();
        for (var step = 0; step < 120; step++)
        {
            using var scope = NewDisposeScope();
            var batch = Enumerable.Range(0, 16).Select(_ => Case(generator, hard: false)).ToList();
            var images = cat(batch.Select(item => item.Image).ToList(), 0);
            var masks = cat(batch.Select(item => item.Mask).ToList(), 0);
            optimiser.zero_grad();
            var loss = nn.functional.cross_entropy(Network.forward(images), masks);
            loss.backward();
            optimiser.step();
        }
        Network.eval();
    }

    private static (Tensor Image, Tensor Mask) Case(Random generator, bool hard)
    {
        var (contrast, noise) = hard ? (0.25f, 0.6f) : (1.0f, 0.1f);
        var (cy, cx, radius) = (generator.Next(10, 22), generator.Next(10, 22), generator.Next(5, 9));
        var mask = new long[Side * Side];
        var pixels = new float[Side * Side];
        for (var y = 0; y < Side; y++)
        {
            for (var x = 0; x < Side; x++)
            {
                var inside = (y - cy) * (y - cy) + (x - cx) * (x - cx) <= radius * radius;
                mask[y * Side + x] = inside ? 1 : 0;
                pixels[y * Side + x] = (inside ? contrast : 0f) + noise * (float)Gaussian(generator);
            }
        }
        return (tensor(pixels).reshape(1, 1, Side, Side), tensor(mask).reshape(1, Side, Side));
    }

    private static double Gaussian(Random generator) =>
        Math.Sqrt(-2 * Math.Log(1 - generator.NextDouble())) * Math.Cos(2 * Math.PI * generator.NextDouble());

    public void Dispose()
    {
        foreach (var image in Images)
        {
            image.Dispose();
        }
        Network.Dispose();
    }
}
