namespace Cl2.Dicom.Imaging;

/// <summary>Why a series cannot form a volume.</summary>
public enum VolumeAssemblyFailure
{
    Unspecified,
    TooFewSlices,
    MissingGeometry,
    MismatchedSize,
    MismatchedPixelSpacing,
    MismatchedOrientation,
    PositionsNotAlongNormal,
    DuplicatePosition,
    InconsistentSpacing,
}

/// <summary>A series that cannot form a volume; <see cref="Reason"/> says which check failed, the message where.</summary>
public sealed class VolumeAssemblyException : Exception
{
    public VolumeAssemblyException()
    {
    }

    public VolumeAssemblyException(string message) : base(message)
    {
    }

    public VolumeAssemblyException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public VolumeAssemblyException(VolumeAssemblyFailure reason, string message) : base($"{reason}: {message}") => Reason = reason;

    public VolumeAssemblyFailure Reason { get; }
}
