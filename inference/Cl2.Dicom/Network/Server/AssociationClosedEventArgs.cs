using System.Net;

namespace Cl2.Dicom.Network.Server;

/// <summary>How one association (or connection that never became one) ended: null <see cref="Error"/> is a clean
/// release; otherwise the typed failure that ended it.
/// <see cref="RefusedAbstractSyntaxes"/>: the abstract syntaxes the peer proposed that the policy keeps from its calling AE
/// title (<see cref="Association.AssociationPolicy.RestrictedAbstractSyntaxes"/>).</summary>
public sealed class AssociationClosedEventArgs(string? callingAeTitle, Exception? error, IReadOnlyList<string>? refusedAbstractSyntaxes = null,
    IPAddress? remoteAddress = null, long associationId = 0) : EventArgs
{
    /// <summary>The server's number for the association (<see cref="Dimse.CStoreRequest.AssociationId"/>); 0 for a connection
    /// closed before it became one.</summary>
    public long AssociationId { get; } = associationId;

    /// <summary>Where the connection came from (null where it is not known).</summary>
    public IPAddress? RemoteAddress { get; } = remoteAddress;

    public string? CallingAeTitle { get; } = callingAeTitle;
    public Exception? Error { get; } = error;
    public IReadOnlyList<string> RefusedAbstractSyntaxes { get; } = refusedAbstractSyntaxes ?? [];
}
