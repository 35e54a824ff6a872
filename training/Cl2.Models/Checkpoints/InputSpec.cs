namespace Cl2.Models.Checkpoints;

/// <summary>What the network expects to be fed: one channel per modality, resampled to a spacing, normalised per channel.</summary>
/// <param name="Channels">In channel order, e.g. T1, T1c, T2, FLAIR for brain MRI.</param>
/// <param name="SpacingMm">Voxel/pixel spacing the images are resampled to, one value per spatial axis (x, y[, z]).</param>
public sealed record InputSpec(IReadOnlyList<InputChannel> Channels, IReadOnlyList<double> SpacingMm);

/// <param name="Modality">A name the routing and data loaders match series on (e.g. "T1c", "CT", "DX").</param>
public sealed record InputChannel(string Modality, IntensityNormalisation Normalisation);

/// <summary>How one channel's intensities are mapped before the network sees them.</summary>
/// <param name="Lower">For <see cref="IntensityNormalisationKind.ClipAndScale"/>: the value mapped to 0 (e.g. −57 HU).</param>
/// <param name="Upper">For <see cref="IntensityNormalisationKind.ClipAndScale"/>: the value mapped to 1 (e.g. 164 HU).</param>
public sealed record IntensityNormalisation(IntensityNormalisationKind Kind, double? Lower = null, double? Upper = null);

public enum IntensityNormalisationKind
{
    /// <summary>Intensities go in as they are.</summary>
    None,

    /// <summary>Zero mean, unit variance over the non-zero voxels (MRI, as MONAI's NormalizeIntensity(nonzero=True)).</summary>
    ZScoreNonZero,

    /// <summary>Clip to [Lower, Upper] and scale linearly to [0, 1] (CT windows, as MONAI's ScaleIntensityRange).</summary>
    ClipAndScale,
}
