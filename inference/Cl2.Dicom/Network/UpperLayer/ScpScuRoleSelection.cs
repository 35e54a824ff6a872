namespace Cl2.Dicom.Network.UpperLayer;

/// <summary>SCP/SCU Role Selection sub-item (PS3.7 D.3.3.4): whether the requestor may act as SCU and/or SCP for a
/// SOP class. C-GET needs the requestor to be SCP of the storage classes it retrieves.</summary>
public sealed record ScpScuRoleSelection(string SopClassUid, bool ScuRole, bool ScpRole);
