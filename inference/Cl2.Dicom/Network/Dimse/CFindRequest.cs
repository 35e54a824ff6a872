namespace Cl2.Dicom.Network.Dimse;

/// <summary>A C-FIND request as a provider sees it (PS3.7 9.1.2): the identifier's bytes in <see cref="TransferSyntaxUid"/>.
/// <see cref="SopClassUid"/> names the information model (Patient Root, Study Root, …).</summary>
public sealed record CFindRequest(
    string CallingAeTitle,
    string SopClassUid,
    string TransferSyntaxUid,
    ushort MessageId,
    DimsePriority Priority,
    ReadOnlyMemory<byte> Identifier)
{
    /// <summary>The calling peer's address, where a server received the request (for its audit trail).</summary>
    public System.Net.IPAddress? RemoteAddress { get; init; }

    public static DimseCommand Command(ushort messageId, string sopClassUid, DimsePriority priority = DimsePriority.Medium) =>
        new(CommandField.CFindRq)
        {
            AffectedSopClassUid = sopClassUid,
            MessageId = messageId,
            Priority = priority,
            HasDataSet = true,
        };
}

/// <summary>One C-FIND response: Pending with a matching identifier, or the final status without one.</summary>
public sealed record CFindResponse(DimseStatus Status, ReadOnlyMemory<byte>? Identifier)
{
    public static CFindResponse Match(ReadOnlyMemory<byte> identifier) => new(DimseStatus.Pending, identifier);
}
