namespace Cl2.Dicom.Network.Dimse;

/// <summary>A C-ECHO request as a provider sees it (PS3.7 9.1.5).</summary>
public sealed record CEchoRequest(string CallingAeTitle, ushort MessageId)
{
    public static DimseCommand Command(ushort messageId) => new(CommandField.CEchoRq)
    {
        AffectedSopClassUid = DicomUids.Verification.Value,
        MessageId = messageId,
    };
}
