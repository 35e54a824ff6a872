using static TorchSharp.torch;

namespace Cl2.Training.Scoring;

/// <summary>Class probabilities from a network's logits: softmax over the class axis, or for one logit (a finding's
/// presence) the sigmoid and its complement, so both kinds of output give a probability per class and voxel.</summary>
public static class Uncertainty
{
    public static Tensor Probabilities(Tensor logits)
    {
        if (logits.shape[1] != 1)
        {
            return logits.softmax(1);
        }
        // Held until libtorch has read it: a number converted on the way (1 − p, and the alpha that sum passes) could be
        // freed mid-call by a collection on another thread (docs/training.md, "Numbers handed to libtorch").
        using TorchSharp.Scalar one = 1;
        var presence = logits.sigmoid();
        return cat([presence, presence.negative().add(one, one)], 1);
    }

    /// <summary>The mean over voxels of the entropy of the class distribution (in nats).</summary>
    public static double MeanEntropy(Tensor probabilities)
    {
        using var scope = NewDisposeScope();
        using TorchSharp.Scalar smallest = 1e-12;
        var entropy = -(probabilities * probabilities.clamp_min(smallest).log()).sum(1);
        return entropy.mean().item<float>();
    }
}
