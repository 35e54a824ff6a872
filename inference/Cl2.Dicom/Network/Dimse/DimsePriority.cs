namespace Cl2.Dicom.Network.Dimse;

/// <summary>Priority (0000,0700) of C-STORE, C-FIND, C-MOVE and C-GET requests.</summary>
public enum DimsePriority : ushort
{
    Medium = 0x0000,
    High = 0x0001,
    Low = 0x0002,
}
