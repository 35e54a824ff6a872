namespace Cl2.Models.Networks;

/// <summary>
/// SegResNet hyper-parameters with MONAI's names and defaults (<c>monai.networks.nets.SegResNet</c>). Normalisation is
/// always GroupNorm with <see cref="NumGroups"/> groups and the activation always ReLU, as in Myronenko 2018.
/// </summary>
public sealed record SegResNetOptions
{
    public int SpatialDims { get; init; } = 3;
    public int InitFilters { get; init; } = 8;
    public int InChannels { get; init; } = 1;
    public int OutChannels { get; init; } = 2;
    public double? DropoutProb { get; init; }
    public IReadOnlyList<int> BlocksDown { get; init; } = [1, 2, 2, 4];
    public IReadOnlyList<int> BlocksUp { get; init; } = [1, 1, 1];
    public SegResNetUpsample UpsampleMode { get; init; } = SegResNetUpsample.NonTrainable;
    public int NumGroups { get; init; } = 8;
    public bool UseConvFinal { get; init; } = true;

    /// <summary>The brain-tumour configuration of Myronenko 2018 (BraTS: 4 MRI sequences in, 3 tumour sub-regions out, 32 filters).</summary>
    public static SegResNetOptions Brats => new() { InitFilters = 32, InChannels = 4, OutChannels = 3, DropoutProb = 0.2 };

    internal void Validate()
    {
        SpatialLayers.RequireSpatialDims(SpatialDims);
        if (BlocksDown.Count < 2 || BlocksUp.Count != BlocksDown.Count - 1)
        {
            throw new ArgumentException($"SegResNet needs one up stage fewer than down stages (down {BlocksDown.Count}, up {BlocksUp.Count}).");
        }
        if (InitFilters % NumGroups != 0)
        {
            throw new ArgumentException($"GroupNorm needs init_filters ({InitFilters}) divisible by its {NumGroups} groups.");
        }
    }
}
