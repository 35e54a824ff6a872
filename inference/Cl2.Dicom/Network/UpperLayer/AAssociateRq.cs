namespace Cl2.Dicom.Network.UpperLayer;

/// <summary>A-ASSOCIATE-RQ PDU (PS3.8 9.3.2).</summary>
public sealed record AAssociateRq(
    string CalledAeTitle,
    string CallingAeTitle,
    IReadOnlyList<PresentationContext> PresentationContexts,
    UserInformation UserInformation) : Pdu
{
    /// <summary>Bit 0 of the protocol version field: the only version PS3.8 defines.</summary>
    public const ushort SupportedProtocolVersion = 0x0001;

    public string ApplicationContextName { get; init; } = DicomUids.DICOMApplicationContext.Value;

    public ushort ProtocolVersion { get; init; } = SupportedProtocolVersion;

    public override PduType Type => PduType.AAssociateRq;
}
