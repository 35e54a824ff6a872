using Cl2.Dicom.Network.Dimse;

namespace Cl2.Dicom.Network.Server;

/// <summary>
/// Thrown by an <see cref="ICStoreProvider"/> that refuses an instance and wants the peer told why: the server answers
/// <see cref="Status"/> with <see cref="ErrorComment"/> in Error Comment (0000,0902, LO: cut to 64 characters) and the
/// association goes on. Any other exception is Processing Failure without a comment.
/// </summary>
public sealed class CStoreRefusedException(DimseStatus status, string errorComment) : Exception(errorComment)
{
    public DimseStatus Status { get; } = status.IsFailure ? status : throw new ArgumentException($"{status} is not a failure status", nameof(status));

    public string ErrorComment { get; } = errorComment;
}
