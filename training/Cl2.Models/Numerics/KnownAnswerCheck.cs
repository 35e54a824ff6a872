using static TorchSharp.torch;

namespace Cl2.Models.Numerics;

/// <summary>
/// One operation the networks use, computed in float32 (the precision training runs in, through whatever kernels
/// libtorch picks) and compared with the same computation in float64, which takes ATen's reference kernels (oneDNN has
/// none for double). <paramref name="Compute"/> returns the forward output and the gradients of the inputs it names.
/// The float32 side runs <paramref name="Repeats"/> times: the faults this guards against are intermittent.
/// </summary>
/// <param name="Operation">What is checked, as a failure names it ("conv3d 4→4 3×3×3").</param>
/// <param name="Outputs">Names of the tensors <paramref name="Compute"/> returns, in order ("forward", "input gradient" …).</param>
public sealed record KnownAnswerCheck(string Operation, IReadOnlyList<string> Outputs, Func<ScalarType, Tensor[]> Compute, int Repeats)
{
    /// <summary>Largest error allowed, relative to the reference's largest magnitude: float32 rounding is ~1e-6 here.</summary>
    public const double RelativeTolerance = 1e-3;

    private (Tensor[] Values, double[] Scales)? _reference;

    /// <returns>null when every repeat agrees with the reference; otherwise what went wrong, on which output and repeat.</returns>
    public string? Run()
    {
        // The float64 reference does not depend on oneDNN: computed once, it serves the check with and without it.
        var (expected, scales) = _reference ??= Reference();
        for (var repeat = 0; repeat < Repeats; repeat++)
        {
            using var scope = NewDisposeScope();
            var actual = Compute(ScalarType.Float32);
            for (var index = 0; index < expected.Length; index++)
            {
                var value = actual[index].to_type(ScalarType.Float64);
                if (!value.isfinite().all().item<bool>())
                {
                    return $"{Operation}: {Outputs[index]} has non-finite values (repeat {repeat + 1} of {Repeats})";
                }
                var error = (value - expected[index]).abs().max().item<double>() / scales[index];
                if (error > RelativeTolerance)
                {
                    return $"{Operation}: {Outputs[index]} is off by {error:G3} of its scale (repeat {repeat + 1} of {Repeats})";
                }
            }
        }
        return null;
    }

    private (Tensor[] Values, double[] Scales) Reference()
    {
        using var scope = NewDisposeScope();
        var values = Compute(ScalarType.Float64).Select(tensor => tensor.detach().clone().DetachFromDisposeScope()).ToArray();
        return (values, [.. values.Select(tensor => Math.Max(tensor.abs().max().item<double>(), 1e-12))]);
    }
}
