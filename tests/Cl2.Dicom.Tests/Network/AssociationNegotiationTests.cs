using Cl2.Dicom;
using Cl2.Dicom.Network;
using Cl2.Dicom.Network.Association;
using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Tests.Network;

/// <summary>Negotiation is a pure function: no sockets, just requests and policies.</summary>
public sealed class AssociationNegotiationTests
{
    private static readonly AssociationPolicy Policy = new()
    {
        AeTitle = "CL2",
        AllowedCallingAeTitles = new HashSet<string> { "MODALITY" },
        AbstractSyntaxes = new HashSet<string> { DicomUids.Verification.Value },
        AcceptAllStorageSopClasses = true,
        TransferSyntaxes = [DicomTransferSyntax.ExplicitVRLittleEndian.Uid, DicomTransferSyntax.ImplicitVRLittleEndian.Uid, DicomUids.RLELossless.Value],
    };

    private static readonly DicomNetworkOptions Network = new() { MaxPduLength = 65536 };

    private static AAssociateRq Request(string called = "CL2", string calling = "MODALITY", params PresentationContext[] contexts) =>
        new(called, calling,
            contexts.Length > 0 ? contexts : [new PresentationContext(1, DicomUids.Verification.Value, [DicomTransferSyntax.ImplicitVRLittleEndian.Uid])],
            new UserInformation(16384, "1.2.3", "PEER"));

    [Fact]
    public void a_caller_the_admission_refuses_at_its_address_is_rejected_with_calling_ae_not_recognized()
    {
        var policy = Policy with { AdmitCaller = (title, address) => title == "MODALITY" && address.Equals(System.Net.IPAddress.Loopback) ? new HashSet<string>() : null };

        var elsewhere = AssociationNegotiation.Negotiate(Request(), policy, Network, System.Net.IPAddress.Parse("10.1.2.3"));
        var here = AssociationNegotiation.Negotiate(Request(), policy, Network, System.Net.IPAddress.Loopback);

        Assert.Equal(AssociateRejectReason.CallingAeTitleNotRecognized, elsewhere.Reject?.Reason);
        Assert.NotNull(here.Accept);
    }

    [Fact]
    public void a_restricted_abstract_syntax_is_accepted_only_where_the_admission_grants_it()
    {
        var find = DicomUids.StudyRootQueryRetrieveInformationModelFind.Value;
        var policy = Policy with
        {
            AbstractSyntaxes = new HashSet<string> { DicomUids.Verification.Value, find },
            RestrictedAbstractSyntaxes = new HashSet<string> { find },
            AdmitCaller = (title, _) => title == "FINDER" ? new HashSet<string> { find } : new HashSet<string>(),
        };
        var context = new PresentationContext(1, find, [DicomTransferSyntax.ImplicitVRLittleEndian.Uid]);

        var granted = AssociationNegotiation.Negotiate(Request(calling: "FINDER", contexts: context), policy, Network, System.Net.IPAddress.Loopback);
        var refused = AssociationNegotiation.Negotiate(Request(calling: "MODALITY", contexts: context), policy, Network, System.Net.IPAddress.Loopback);

        Assert.True(granted.Accept!.PresentationContextResults.Single().IsAccepted);
        Assert.Equal(PresentationContextResultReason.UserRejection, refused.Accept!.PresentationContextResults.Single().Result);
    }

    [Fact]
    public void an_unknown_calling_ae_title_is_rejected_permanently_by_the_service_user_with_calling_ae_not_recognized()
    {
        var outcome = AssociationNegotiation.Negotiate(Request(calling: "STRANGER"), Policy, Network);

        Assert.Null(outcome.Accept);
        Assert.Equal(new AAssociateRj(AssociateRejectResult.RejectedPermanent, AssociateRejectSource.ServiceUser,
            AssociateRejectReason.CallingAeTitleNotRecognized), outcome.Reject);
        Assert.Equal("calling-AE-title-not-recognized", outcome.Reject!.ReasonText);
    }

    [Fact]
    public void a_wrong_called_ae_title_is_rejected_with_called_ae_not_recognized()
    {
        var outcome = AssociationNegotiation.Negotiate(Request(called: "PACS"), Policy, Network);

        Assert.Equal(AssociateRejectReason.CalledAeTitleNotRecognized, outcome.Reject!.Reason);
        Assert.Equal(AssociateRejectSource.ServiceUser, outcome.Reject.Source);
    }

    [Fact]
    public void any_caller_is_accepted_when_no_calling_ae_titles_are_configured()
    {
        var outcome = AssociationNegotiation.Negotiate(Request(calling: "ANYONE"), Policy with { AllowedCallingAeTitles = new HashSet<string>() }, Network);

        Assert.NotNull(outcome.Accept);
    }

    [Fact]
    public void an_unknown_application_context_is_rejected_with_application_context_name_not_supported()
    {
        var outcome = AssociationNegotiation.Negotiate(Request() with { ApplicationContextName = "1.2.3.4" }, Policy, Network);

        Assert.Equal(AssociateRejectReason.ApplicationContextNameNotSupported, outcome.Reject!.Reason);
    }

    [Fact]
    public void an_unsupported_protocol_version_is_rejected_by_the_acse_provider()
    {
        var outcome = AssociationNegotiation.Negotiate(Request() with { ProtocolVersion = 0x0002 }, Policy, Network);

        Assert.Equal(AssociateRejectSource.ServiceProviderAcse, outcome.Reject!.Source);
        Assert.Equal(AssociateRejectReason.ProtocolVersionNotSupported, outcome.Reject.Reason);
    }

    [Fact]
    public void each_presentation_context_gets_its_own_result_and_our_preferred_transfer_syntax()
    {
        var outcome = AssociationNegotiation.Negotiate(Request("CL2", "MODALITY",
            new PresentationContext(1, DicomUids.CTImageStorage.Value, [DicomTransferSyntax.ImplicitVRLittleEndian.Uid, DicomTransferSyntax.ExplicitVRLittleEndian.Uid]),
            new PresentationContext(3, DicomUids.StudyRootQueryRetrieveInformationModelFind.Value, [DicomTransferSyntax.ImplicitVRLittleEndian.Uid]),
            new PresentationContext(5, DicomUids.MRImageStorage.Value, [DicomUids.JPEG2000.Value]),
            new PresentationContext(7, DicomUids.MRImageStorage.Value, [DicomUids.RLELossless.Value])), Policy, Network);

        Assert.Equal(
        [
            new PresentationContextResult(1, PresentationContextResultReason.Acceptance, DicomTransferSyntax.ExplicitVRLittleEndian.Uid),
            new PresentationContextResult(3, PresentationContextResultReason.AbstractSyntaxNotSupported, DicomTransferSyntax.ImplicitVRLittleEndian.Uid),
            new PresentationContextResult(5, PresentationContextResultReason.TransferSyntaxesNotSupported, DicomUids.JPEG2000.Value),
            new PresentationContextResult(7, PresentationContextResultReason.Acceptance, DicomUids.RLELossless.Value),
        ], outcome.Accept!.PresentationContextResults);
        Assert.Equal("MODALITY", outcome.Accept.CallingAeTitle);
        Assert.Equal(65536u, outcome.Accept.UserInformation.MaxPduLength);
        Assert.Equal(Network.ImplementationClassUid, outcome.Accept.UserInformation.ImplementationClassUid);
    }

    [Fact]
    public void an_asynchronous_operations_window_is_answered_with_one_operation_at_a_time()
    {
        var request = Request() with
        {
            UserInformation = new UserInformation(16384, AsynchronousOperationsWindow: new AsynchronousOperationsWindow(8, 8)),
        };

        var outcome = AssociationNegotiation.Negotiate(request, Policy, Network);

        Assert.Equal(AsynchronousOperationsWindow.Synchronous, outcome.Accept!.UserInformation.AsynchronousOperationsWindow);
    }

    [Fact]
    public void the_requestor_is_granted_the_scp_role_only_when_the_policy_allows_it_and_only_for_accepted_classes()
    {
        var request = Request("CL2", "MODALITY",
            new PresentationContext(1, DicomUids.CTImageStorage.Value, [DicomTransferSyntax.ExplicitVRLittleEndian.Uid])) with
        {
            UserInformation = new UserInformation(0, RoleSelections:
            [
                new ScpScuRoleSelection(DicomUids.CTImageStorage.Value, ScuRole: false, ScpRole: true),
                new ScpScuRoleSelection("1.2.3.4.5", ScuRole: false, ScpRole: true),
            ]),
        };

        var denied = AssociationNegotiation.Negotiate(request, Policy, Network).Accept!.UserInformation.RoleSelectionsOrEmpty;
        var granted = AssociationNegotiation.Negotiate(request, Policy with { AllowRequestorScpRole = true }, Network).Accept!.UserInformation.RoleSelectionsOrEmpty;

        Assert.Equal([new ScpScuRoleSelection(DicomUids.CTImageStorage.Value, false, false)], denied);
        Assert.Equal([new ScpScuRoleSelection(DicomUids.CTImageStorage.Value, false, true)], granted);
    }
}
