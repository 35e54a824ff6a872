namespace Cl2.Dicom.Network.UpperLayer;

/// <summary>A-RELEASE-RQ PDU (PS3.8 9.3.6).</summary>
public sealed record AReleaseRq : Pdu
{
    public static AReleaseRq Instance { get; } = new();

    public override PduType Type => PduType.AReleaseRq;
}
