namespace Cl2.Models.Inference;

/// <summary>
/// A study or a model that a workload cannot run on, said precisely and with what to do; <see cref="Code"/> is stable
/// (one of <see cref="WorkloadErrorCodes"/>), so a service can record the outcome and a caller can branch on it.
/// </summary>
public sealed class WorkloadException(string code, string message) : Exception($"{code}: {message}")
{
    public string Code { get; } = code;
}

public static class WorkloadErrorCodes
{
    /// <summary>The study holds no DICOM image at all.</summary>
    public const string EmptyStudy = "EMPTY_STUDY";

    /// <summary>A file of the study cannot be read as DICOM, or its pixel data cannot be decoded.</summary>
    public const string UnreadableInstance = "UNREADABLE_INSTANCE";

    /// <summary>No series of the study fits one of the workload's series rules (e.g. a brain study without FLAIR).</summary>
    public const string SeriesNotFound = "SERIES_NOT_FOUND";

    /// <summary>Several series fit one rule equally well (same number of images): the workload will not guess.</summary>
    public const string SeriesAmbiguous = "SERIES_AMBIGUOUS";

    /// <summary>The selected series cannot be assembled into a regular volume (uneven spacing, mixed orientation …).</summary>
    public const string SeriesNotAVolume = "SERIES_NOT_A_VOLUME";

    /// <summary>The selected series of a multi-channel workload do not lie on one grid.</summary>
    public const string ChannelsOnDifferentGrids = "CHANNELS_ON_DIFFERENT_GRIDS";

    /// <summary>The model folder lacks its manifest or weights, or its weights are not the ones the manifest names.</summary>
    public const string ModelUnreadable = "MODEL_UNREADABLE";

    /// <summary>The model's manifest does not fit the workload (<see cref="Workloads.Workload.Check"/>).</summary>
    public const string ManifestDoesNotFit = "MANIFEST_DOES_NOT_FIT";
}
