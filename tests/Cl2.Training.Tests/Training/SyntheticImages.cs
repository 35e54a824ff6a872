using static TorchSharp.torch;

namespace Cl2.Training.Tests.Training;

/// <summary>Small synthetic tasks, deterministic from a seed, made as plain arrays and then tensors.</summary>
internal static class SyntheticImages
{
    /// <summary>Gaussian noise (σ = 0.5) with one bright square (+1) per image, its side an eighth to three tenths of the image's; the target marks the square.</summary>
    public static (Tensor Images, Tensor Labels) BrightSquares(int count, int size, int seed)
    {
        var generator = new Random(seed);
        var images = new float[count * size * size];
        var labels = new long[count * size * size];
        for (var n = 0; n < count; n++)
        {
            var side = generator.Next(Math.Max(2, size / 8), size * 3 / 10 + 1);
            int top = generator.Next(0, size - side), left = generator.Next(0, size - side);
            for (var y = 0; y < size; y++)
            {
                for (var x = 0; x < size; x++)
                {
                    var i = (n * size + y) * size + x;
                    var inside = y >= top && y < top + side && x >= left && x < left + side;
                    images[i] = 0.5f * Gaussian(generator) + (inside ? 1f : 0f);
                    labels[i] = inside ? 1 : 0;
                }
            }
        }
        return (tensor(images).reshape(count, 1, size, size), tensor(labels).reshape(count, 1, size, size));
    }

    /// <summary>Noise images; the positives (every other one) carry a faint bright bar of random length and place, like
    /// a fracture line. The label is 1 for a positive.</summary>
    public static (Tensor Images, Tensor Labels) Bars(int count, int size, int seed)
    {
        var generator = new Random(seed);
        var images = new float[count * size * size];
        var labels = new float[count];
        for (var n = 0; n < count; n++)
        {
            for (var i = 0; i < size * size; i++)
            {
                images[n * size * size + i] = 0.5f * Gaussian(generator);
            }
            if (n % 2 == 0)
            {
                continue;
            }
            labels[n] = 1;
            int length = generator.Next(size / 3, size - 2), row = generator.Next(1, size - 1), start = generator.Next(0, size - length);
            for (var x = start; x < start + length; x++)
            {
                images[(n * size + row) * size + x] += 1.5f;
            }
        }
        return (tensor(images).reshape(count, 1, size, size), tensor(labels).reshape(count, 1));
    }

    private static float Gaussian(Random generator) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - generator.NextDouble())) * Math.Cos(2 * Math.PI * generator.NextDouble()));
}
