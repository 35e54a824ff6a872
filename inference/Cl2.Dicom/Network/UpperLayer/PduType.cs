namespace Cl2.Dicom.Network.UpperLayer;

/// <summary>PDU types of the DICOM upper layer (PS3.8 9.3).</summary>
public enum PduType : byte
{
    AAssociateRq = 0x01,
    AAssociateAc = 0x02,
    AAssociateRj = 0x03,
    PDataTf = 0x04,
    AReleaseRq = 0x05,
    AReleaseRp = 0x06,
    AAbort = 0x07,
}
