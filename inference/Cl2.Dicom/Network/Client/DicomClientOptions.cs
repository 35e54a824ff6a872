using Cl2.Dicom.Network.Security;
using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Network.Client;

/// <summary>Who we are and whom we call when we open an association as requestor.</summary>
public sealed record DicomClientOptions
{
    public required string CallingAeTitle { get; init; }

    public required string CalledAeTitle { get; init; }

    public DicomNetworkOptions Network { get; init; } = new();

    /// <summary>When set, the association runs over TLS (PS3.15 B.1); the handshake is bounded by the ARTIM timeout.</summary>
    public DicomTlsClientOptions? Tls { get; init; }

    /// <summary>Roles we propose per SOP class; C-GET needs the SCP role for the storage classes it retrieves.</summary>
    public IReadOnlyList<ScpScuRoleSelection> RoleSelections { get; init; } = [];
}
