namespace Cl2.Dicom.Network.UpperLayer;

/// <summary>A-RELEASE-RP PDU (PS3.8 9.3.7).</summary>
public sealed record AReleaseRp : Pdu
{
    public static AReleaseRp Instance { get; } = new();

    public override PduType Type => PduType.AReleaseRp;
}
