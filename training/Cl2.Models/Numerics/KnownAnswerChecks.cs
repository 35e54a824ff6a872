using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Cl2.Models.Numerics;

/// <summary>
/// The operations cl2's networks are made of (U-Net, SegResNet, DenseNet: 2-D and 3-D convolutions, transposed
/// convolutions, batch / group / instance norm, linear layers), on small shapes, forward and both backward gradients.
/// Repeats are set by how intermittent the known fault is: libtorch 2.10's oneDNN convolution backward on AMD Zen 5
/// returned non-finite input gradients for 15–25 % of small 2-D calls, and for none or all calls of a 3-D one in a
/// process, so ~30 repeats of the 2-D case make a miss unlikely (0.8^30 ≈ 0.1 %), while the whole list stays well
/// under a second (docs/benchmarks.md).
/// </summary>
public static class KnownAnswerChecks
{
    private static readonly string[] ConvolutionOutputs = ["forward", "input gradient", "weight gradient"];

    public static IReadOnlyList<KnownAnswerCheck> All { get; } =
    [
        Convolution("conv2d 8→8 3×3", [2, 8, 16, 16], [8, 8, 3, 3], repeats: 30,
            (x, w) => F.conv2d(x, w, padding: [1, 1])),
        Convolution("conv2d 1→8 3×3", [2, 1, 16, 16], [8, 1, 3, 3], repeats: 10,
            (x, w) => F.conv2d(x, w, padding: [1, 1])),
        Convolution("conv3d 4→4 3×3×3", [1, 4, 16, 16, 16], [4, 4, 3, 3, 3], repeats: 3,
            (x, w) => F.conv3d(x, w, padding: [1, 1, 1])),
        Convolution("conv_transpose2d 8→4 2×2 stride 2", [2, 8, 8, 8], [8, 4, 2, 2], repeats: 6,
            (x, w) => F.conv_transpose2d(x, w, strides: [2, 2])),
        Convolution("conv_transpose3d 4→4 2×2×2 stride 2", [1, 4, 4, 4, 4], [4, 4, 2, 2, 2], repeats: 4,
            (x, w) => F.conv_transpose3d(x, w, strides: [2, 2, 2])),
        Convolution("batch_norm 2-D (training)", [4, 8, 8, 8], [8], repeats: 4,
            (x, w) => F.batch_norm(x, null, null, w, null, training: true)),
        Convolution("group_norm 3-D 8 channels in 4 groups", [2, 8, 4, 4, 4], [8], repeats: 4,
            (x, w) => F.group_norm(x, 4, w, null)),
        Convolution("instance_norm 3-D", [2, 4, 4, 4, 4], [4], repeats: 4,
            (x, w) => F.instance_norm(x, null, null, w, null, use_input_stats: true)),
        Convolution("linear 64→32 (matmul)", [16, 64], [32, 64], repeats: 4,
            (x, w) => F.linear(x, w)),
    ];

    /// <summary>An operation of an input and a weight: its output and the gradients of both under a fixed upstream gradient.</summary>
    public static KnownAnswerCheck Convolution(string operation, long[] inputShape, long[] weightShape, int repeats, Func<Tensor, Tensor, Tensor> forward) =>
        new(operation, ConvolutionOutputs, type =>
        {
            var input = Pattern(inputShape, 0.731, 1.0, type).requires_grad_();
            var weight = Pattern(weightShape, 0.377, 0.2, type).requires_grad_();
            var output = forward(input, weight);
            // The upstream gradient is a pattern too, so the backward pass computes a non-trivial product.
            var upstream = Pattern(output.shape, 0.519, 1.0, type);
            (output * upstream).sum().backward();
            return [output.detach(), input.grad!, weight.grad!];
        }, repeats);

    /// <summary>Deterministic values without the global generator (a check must not shift a seeded run's random draws).</summary>
    public static Tensor Pattern(long[] shape, double frequency, double scale, ScalarType type)
    {
        // Named Scalars, held until libtorch has read them: the worker's check runs while its host's threads allocate, and
        // an implicitly converted Scalar can be freed mid-call by a collection.
        // arange(stop) adds an implicit start and step: both named too.
        using Scalar start = 0, count = shape.Aggregate(1L, (product, size) => product * size), one = 1, step = frequency, amplitude = scale;
        return (arange(start, count, one, ScalarType.Float64).mul(step).sin() * amplitude).reshape(shape).to_type(type);
    }
}
