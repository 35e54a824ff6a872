using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Workloads;

/// <summary>
/// One output channel of a network that segments overlapping regions rather than exclusive classes (BraTS: tumour
/// core, whole tumour, enhancing tumour): the channel's sigmoid is the probability that a voxel lies in the region, and
/// the region is the union of the ground truth's <paramref name="Classes"/>.
/// </summary>
public sealed record OutputRegion(string Name, IReadOnlyList<int> Classes);

public static class OutputRegions
{
    /// <summary>
    /// The class map of region logits (N×R×spatial → N×spatial): each voxel takes the class c (0 … classes−1) whose
    /// region memberships are the most probable, Σ_r log σ(±z_r) with + where c is in region r and − where it is not.
    /// Where the thresholded regions agree with one class (a voxel inside whole tumour and tumour core but outside
    /// enhancing tumour is necrotic core) that class is chosen; where they contradict each other, the likeliest is.
    /// </summary>
    public static Tensor ClassMap(Tensor logits, IReadOnlyList<OutputRegion> regions, int classes)
    {
        if (logits.dim() < 3 || logits.shape[1] != regions.Count)
        {
            throw new ArgumentException(
                $"expected N×{regions.Count}×spatial region logits ({string.Join(", ", regions.Select(r => r.Name))}); got {string.Join('×', logits.shape)}", nameof(logits));
        }
        using var scope = NewDisposeScope();
        var membership = Membership(regions, classes).to(logits.device);
        var flat = logits.to_type(ScalarType.Float32).flatten(2);
        // (C×R) @ (N×R×V) → N×C×V: each class's log-likelihood summed over the regions.
        // A named Scalar, held until libtorch has read it, as the alpha of the sums too: an implicitly converted one can be
        // freed mid-call by a collection on another thread (models run side by side in inference). 1 − m is (−m) + 1.
        using Scalar one = 1;
        var scores = matmul(membership, nn.functional.logsigmoid(flat))
            .add(matmul(membership.negative().add(one, one), nn.functional.logsigmoid(flat.negative())), one);
        var shape = logits.shape.Skip(2).Prepend(logits.shape[0]).ToArray();
        return scores.argmax(1).reshape(shape).MoveToOuterDisposeScope();
    }

    /// <summary>C×R: 1 where class c belongs to region r.</summary>
    private static Tensor Membership(IReadOnlyList<OutputRegion> regions, int classes)
    {
        var values = new float[classes * regions.Count];
        for (var c = 0; c < classes; c++)
        {
            for (var r = 0; r < regions.Count; r++)
            {
                values[c * regions.Count + r] = regions[r].Classes.Contains(c) ? 1 : 0;
            }
        }
        return tensor(values).reshape(classes, regions.Count);
    }
}
