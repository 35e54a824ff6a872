namespace Cl2.Dicom.Network.UpperLayer;

/// <summary>A-ASSOCIATE-AC PDU (PS3.8 9.3.3). AE titles are echoed from the request.</summary>
public sealed record AAssociateAc(
    string CalledAeTitle,
    string CallingAeTitle,
    IReadOnlyList<PresentationContextResult> PresentationContextResults,
    UserInformation UserInformation) : Pdu
{
    public string ApplicationContextName { get; init; } = DicomUids.DICOMApplicationContext.Value;

    public ushort ProtocolVersion { get; init; } = AAssociateRq.SupportedProtocolVersion;

    public override PduType Type => PduType.AAssociateAc;
}
