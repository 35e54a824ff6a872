using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Networks;

/// <summary>
/// A training forward pass of <see cref="SegResNetVae"/>: the segmentation logits and the two VAE loss terms, kept apart
/// so that a trainer can weight them as Myronenko 2018 does (L = L_dice + 0.1·L_L2 + 0.1·L_KL).
/// </summary>
/// <param name="Segmentation">Logits, N × out_channels × spatial.</param>
/// <param name="LatentLoss">KL divergence to N(0, I) when σ is estimated, else MONAI's mean μ² penalty.</param>
/// <param name="ReconstructionLoss">Mean squared error between the input image and its reconstruction.</param>
public sealed record SegResNetVaeOutput(Tensor Segmentation, Tensor LatentLoss, Tensor ReconstructionLoss)
{
    /// <summary>MONAI's <c>vae_loss</c>: the unweighted sum of both terms.</summary>
    public Tensor VaeLoss
    {
        get
        {
            // The sum's alpha named and held (see TotalLoss).
            using Scalar one = 1;
            return LatentLoss.add(ReconstructionLoss, one);
        }
    }

    /// <summary>The paper's total loss around a segmentation loss computed by the caller.</summary>
    public Tensor TotalLoss(Tensor segmentationLoss, double reconstructionWeight = 0.1, double latentWeight = 0.1)
    {
        // Named Scalars, held until libtorch has read them: an implicitly converted one can be freed mid-call by a
        // collection on another thread (see Training/Optimizers/AdamUpdate).
        using Scalar reconstruction = reconstructionWeight, latent = latentWeight, one = 1;
        return segmentationLoss.add(reconstruction * ReconstructionLoss, one).add(latent * LatentLoss, one);
    }
}
