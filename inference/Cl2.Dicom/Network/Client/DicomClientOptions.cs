using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Network.Client;

/// <summary>Who we are and whom we call when we open an association as requestor.</summary>
public sealed record DicomClientOptions
{
    public required string CallingAeTitle { get; init; }

    public required string CalledAeTitle { get; init; }

    public DicomNetworkOptions Network { get; init; } = new();

    /// <summary>Roles we propose per SOP class; C-GET needs the SCP role for the storage classes it retrieves.</summary>
    public IReadOnlyList<ScpScuRoleSelection> RoleSelections { get; init; } = [];
}
