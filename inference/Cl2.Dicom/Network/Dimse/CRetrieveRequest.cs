namespace Cl2.Dicom.Network.Dimse;

/// <summary>A C-MOVE request as a provider sees it (PS3.7 9.1.4): sub-operations store into <see cref="MoveDestination"/>.</summary>
public sealed record CMoveRequest(
    string CallingAeTitle,
    string SopClassUid,
    string TransferSyntaxUid,
    ushort MessageId,
    DimsePriority Priority,
    string MoveDestination,
    ReadOnlyMemory<byte> Identifier)
{
    /// <summary>The calling peer's address, where a server received the request (for its audit trail).</summary>
    public System.Net.IPAddress? RemoteAddress { get; init; }
}

/// <summary>A C-GET request as a provider sees it (PS3.7 9.1.3): sub-operations store back over the same association.</summary>
public sealed record CGetRequest(
    string CallingAeTitle,
    string SopClassUid,
    string TransferSyntaxUid,
    ushort MessageId,
    DimsePriority Priority,
    ReadOnlyMemory<byte> Identifier)
{
    /// <summary>The calling peer's address, where a server received the request (for its audit trail).</summary>
    public System.Net.IPAddress? RemoteAddress { get; init; }
}

/// <summary>Sub-operation counts of a C-MOVE/C-GET response (PS3.7 9.3.4.2, 9.3.3.2); Pending while any remain.</summary>
public sealed record CRetrieveProgress(DimseStatus Status, ushort Remaining, ushort Completed, ushort Failed, ushort Warning);
