using System.Net;
using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Network.Association;

/// <summary>The answer to an A-ASSOCIATE-RQ: exactly one of <see cref="Accept"/> and <see cref="Reject"/>.
/// <see cref="Restricted"/>: abstract syntaxes refused because the policy keeps them from this caller.</summary>
public sealed record NegotiationOutcome(AAssociateAc? Accept, AAssociateRj? Reject, IReadOnlyList<string>? Restricted = null)
{
    public Pdu Response => (Pdu?)Accept ?? Reject!;
}

/// <summary>Association negotiation as a pure function of the request and our policy (PS3.8 7.1, PS3.7 D.3.3).</summary>
public static class AssociationNegotiation
{
    /// <param name="network">Our limits, announced in the user information (our Maximum Length is the limit our reader enforces).</param>
    /// <param name="callerAddress">Where the connection comes from, for <see cref="AssociationPolicy.AdmitCaller"/>.</param>
    public static NegotiationOutcome Negotiate(AAssociateRq request, AssociationPolicy policy, DicomNetworkOptions network, IPAddress? callerAddress = null)
    {
        // Checked in PS3.8's order of sources: the ACSE provider (protocol version), then the service user.
        if ((request.ProtocolVersion & AAssociateRq.SupportedProtocolVersion) == 0)
        {
            return Rejected(AssociateRejectSource.ServiceProviderAcse, AssociateRejectReason.ProtocolVersionNotSupported);
        }
        if (request.ApplicationContextName != DicomUids.DICOMApplicationContext.Value)
        {
            return Rejected(AssociateRejectSource.ServiceUser, AssociateRejectReason.ApplicationContextNameNotSupported);
        }
        if (!string.Equals(request.CalledAeTitle, policy.AeTitle, StringComparison.Ordinal))
        {
            return Rejected(AssociateRejectSource.ServiceUser, AssociateRejectReason.CalledAeTitleNotRecognized);
        }
        var granted = policy.AdmitCaller?.Invoke(request.CallingAeTitle, callerAddress ?? IPAddress.None);
        if (policy.AdmitCaller is not null ? granted is null
            : policy.AllowedCallingAeTitles.Count > 0 && !policy.AllowedCallingAeTitles.Contains(request.CallingAeTitle))
        {
            return Rejected(AssociateRejectSource.ServiceUser, AssociateRejectReason.CallingAeTitleNotRecognized);
        }

        var results = request.PresentationContexts.Select(context => policy.RestrictsFrom(context.AbstractSyntax, request.CallingAeTitle, granted)
            ? new PresentationContextResult(context.Id, PresentationContextResultReason.UserRejection, Ignored(context))
            : NegotiateContext(context, policy)).ToList();
        var restricted = request.PresentationContexts.Select(context => context.AbstractSyntax)
            .Where(syntax => policy.RestrictsFrom(syntax, request.CallingAeTitle, granted)).Distinct().ToList();
        var accepted = request.PresentationContexts
            .Where(context => results.Any(r => r.Id == context.Id && r.IsAccepted))
            .Select(context => context.AbstractSyntax)
            .ToHashSet();
        var roles = request.UserInformation.RoleSelectionsOrEmpty
            .Where(role => accepted.Contains(role.SopClassUid))
            .Select(role => new ScpScuRoleSelection(role.SopClassUid, role.ScuRole, role.ScpRole && policy.AllowRequestorScpRole))
            .ToList();
        var userInformation = new UserInformation(
            network.MaxPduLength,
            network.ImplementationClassUid,
            network.ImplementationVersionName,
            // We perform operations one at a time; answering 1/1 tells a requestor that asked for more.
            request.UserInformation.AsynchronousOperationsWindow is null ? null : AsynchronousOperationsWindow.Synchronous,
            roles.Count == 0 ? null : roles);
        return new NegotiationOutcome(
            new AAssociateAc(request.CalledAeTitle, request.CallingAeTitle, results, userInformation), null, restricted);
    }

    /// <summary>More associations than we serve at once: a transient rejection the requestor may retry.</summary>
    public static AAssociateRj LocalLimitExceeded { get; } = new(
        AssociateRejectResult.RejectedTransient, AssociateRejectSource.ServiceProviderPresentation, AssociateRejectReason.LocalLimitExceeded);

    private static PresentationContextResult NegotiateContext(PresentationContext context, AssociationPolicy policy)
    {
        if (!policy.AcceptsAbstractSyntax(context.AbstractSyntax))
        {
            return new PresentationContextResult(context.Id, PresentationContextResultReason.AbstractSyntaxNotSupported, Ignored(context));
        }
        var syntax = policy.TransferSyntaxes.FirstOrDefault(context.TransferSyntaxes.Contains);
        return syntax is null
            ? new PresentationContextResult(context.Id, PresentationContextResultReason.TransferSyntaxesNotSupported, Ignored(context))
            : new PresentationContextResult(context.Id, PresentationContextResultReason.Acceptance, syntax);
    }

    /// <summary>A rejected context still carries a transfer syntax sub-item, which the requestor ignores (PS3.8 9.3.3.2);
    /// some peers choke on an empty one, so it repeats the first proposed.</summary>
    private static string Ignored(PresentationContext context) =>
        context.TransferSyntaxes.FirstOrDefault() ?? DicomTransferSyntax.ImplicitVRLittleEndian.Uid;

    private static NegotiationOutcome Rejected(AssociateRejectSource source, byte reason) =>
        new(null, new AAssociateRj(AssociateRejectResult.RejectedPermanent, source, reason));
}
