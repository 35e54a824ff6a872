namespace Cl2.Models.Checkpoints;

/// <summary>What the network's output channels mean.</summary>
/// <param name="Labels">One name per output channel, in channel order (for segmentation usually starting with "background").</param>
public sealed record OutputSpec(OutputKind Kind, IReadOnlyList<string> Labels);

public enum OutputKind
{
    /// <summary>One logit per class and voxel; argmax (or sigmoid per channel for overlapping regions) gives the mask.</summary>
    Segmentation,

    /// <summary>One logit per class and image.</summary>
    Classification,
}
