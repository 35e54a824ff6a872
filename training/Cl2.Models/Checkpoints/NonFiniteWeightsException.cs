using TorchSharp;

namespace Cl2.Models.Checkpoints;

/// <summary>A network's weights hold NaN or infinity: writing them as a checkpoint (and so registering a version) is refused.</summary>
public sealed class NonFiniteWeightsException(string name, long count, long total)
    : Exception($"{Code}: {count} of {total} values of {name} are NaN or infinite; the weights are not written. " +
        "Training diverged or ran on wrong numerics: see the job's log and docs/training.md.")
{
    public const string Code = "NON_FINITE_WEIGHTS";

    /// <summary>The first parameter or buffer (state-dict order) with non-finite values.</summary>
    public string Name { get; } = name;

    public static void ThrowIfAny(torch.nn.Module module)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var (name, tensor) in module.state_dict())
        {
            if (!tensor.is_floating_point())
            {
                continue;
            }
            var nonFinite = tensor.isfinite().logical_not().sum().item<long>();
            if (nonFinite > 0)
            {
                throw new NonFiniteWeightsException(name, nonFinite, tensor.numel());
            }
        }
    }
}
