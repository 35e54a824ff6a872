using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Network.Association;

/// <summary>An accepted presentation context: what the messages on it carry and in which transfer syntax.</summary>
public sealed record NegotiatedContext(byte Id, string AbstractSyntax, string TransferSyntax);

/// <summary>What both sides agreed in A-ASSOCIATE-RQ/AC: titles, accepted contexts and the peer's PDU limit.</summary>
public sealed record NegotiatedAssociation(
    string CallingAeTitle,
    string CalledAeTitle,
    IReadOnlyDictionary<byte, NegotiatedContext> Contexts,
    uint PeerMaxPduLength,
    string? PeerImplementationClassUid,
    string? PeerImplementationVersionName,
    IReadOnlySet<string> RequestorScpRoles)
{
    public static NegotiatedAssociation From(AAssociateRq request, AAssociateAc accept, bool weAreRequestor)
    {
        var proposed = request.PresentationContexts.ToDictionary(c => c.Id);
        var contexts = accept.PresentationContextResults
            .Where(r => r.IsAccepted && proposed.ContainsKey(r.Id))
            .ToDictionary(r => r.Id, r => new NegotiatedContext(r.Id, proposed[r.Id].AbstractSyntax, r.TransferSyntax));
        var peer = weAreRequestor ? accept.UserInformation : request.UserInformation;
        // The acceptor's answer is what counts: a role the requestor asked for and the acceptor granted.
        var scpRoles = accept.UserInformation.RoleSelectionsOrEmpty.Where(r => r.ScpRole).Select(r => r.SopClassUid).ToHashSet();
        return new NegotiatedAssociation(request.CallingAeTitle, request.CalledAeTitle, contexts, peer.MaxPduLength,
            peer.ImplementationClassUid, peer.ImplementationVersionName, scpRoles);
    }

    /// <summary>The first accepted context for the abstract syntax, preferring the given transfer syntax.</summary>
    public NegotiatedContext? FindContext(string abstractSyntax, string? preferredTransferSyntax = null)
    {
        var candidates = Contexts.Values.Where(c => c.AbstractSyntax == abstractSyntax).OrderBy(c => c.Id).ToList();
        return candidates.FirstOrDefault(c => c.TransferSyntax == preferredTransferSyntax) ?? candidates.FirstOrDefault();
    }
}
