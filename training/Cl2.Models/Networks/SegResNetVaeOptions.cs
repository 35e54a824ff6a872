using System.Text.Json.Serialization;

namespace Cl2.Models.Networks;

/// <summary>
/// The VAE branch's hyper-parameters, with MONAI's names and defaults (<c>monai.networks.nets.SegResNetVAE</c>).
/// <see cref="InputImageSize"/> fixes the size of the latent fully-connected layers, so training crops must have it.
/// </summary>
public sealed record SegResNetVaeOptions
{
    public required SegResNetOptions Network { get; init; }
    public required IReadOnlyList<int> InputImageSize { get; init; }

    /// <summary>Learn σ of the latent Gaussian (Myronenko 2018) rather than use <see cref="VaeDefaultStd"/> (MONAI's default).</summary>
    public bool VaeEstimateStd { get; init; }
    public double VaeDefaultStd { get; init; } = 0.3;
    public int VaeNz { get; init; } = 256;

    /// <summary>Channels of the VAE's smallest feature map (MONAI's <c>smallest_filters</c>, Myronenko's "VD" block).</summary>
    public const int SmallestFilters = 16;

    /// <summary>Spatial size at the VAE bottleneck: the input size divided by twice the encoder's down-sampling.</summary>
    [JsonIgnore]
    public long[] LatentGrid
    {
        get
        {
            var zoom = 1 << (Network.BlocksDown.Count - 1);
            return [.. InputImageSize.Select(s => (long)(s / (2 * zoom)))];
        }
    }

    internal void Validate()
    {
        Network.Validate();
        if (InputImageSize.Count != Network.SpatialDims)
        {
            throw new ArgumentException($"input_image_size has {InputImageSize.Count} sizes for a {Network.SpatialDims}-D network.");
        }
        var factor = 2 << (Network.BlocksDown.Count - 1);
        if (InputImageSize.Any(s => s % factor != 0))
        {
            throw new ArgumentException($"Every input_image_size must be divisible by {factor}; got {string.Join('×', InputImageSize)}.");
        }
    }
}
