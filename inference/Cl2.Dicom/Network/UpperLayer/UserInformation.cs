namespace Cl2.Dicom.Network.UpperLayer;

/// <summary>User Information item (PS3.8 9.3.2.3, PS3.7 Annex D). MaxPduLength 0 means "no limit".</summary>
public sealed record UserInformation(
    uint MaxPduLength,
    string? ImplementationClassUid = null,
    string? ImplementationVersionName = null,
    AsynchronousOperationsWindow? AsynchronousOperationsWindow = null,
    IReadOnlyList<ScpScuRoleSelection>? RoleSelections = null)
{
    public IReadOnlyList<ScpScuRoleSelection> RoleSelectionsOrEmpty => RoleSelections ?? [];
}
