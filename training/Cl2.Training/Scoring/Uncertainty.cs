using static TorchSharp.torch;

namespace Cl2.Training.Scoring;

/// <summary>Class probabilities from a network's logits: softmax over the class axis, or for one logit (a finding's
/// presence) the sigmoid and its complement, so both kinds of output give a probability per class and voxel.</summary>
public static class Uncertainty
{
    public static Tensor Probabilities(Tensor logits) => logits.shape[1] == 1
        ? cat([logits.sigmoid(), 1 - logits.sigmoid()], 1)
        : logits.softmax(1);

    /// <summary>The mean over voxels of the entropy of the class distribution (in nats).</summary>
    public static double MeanEntropy(Tensor probabilities)
    {
        using var scope = NewDisposeScope();
        var entropy = -(probabilities * probabilities.clamp_min(1e-12).log()).sum(1);
        return entropy.mean().item<float>();
    }
}
