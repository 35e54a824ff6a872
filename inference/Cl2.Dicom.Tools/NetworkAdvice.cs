using Cl2.Dicom.Network;
using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Tools;

/// <summary>What a PACS admin can do about a network failure, appended to its message.</summary>
internal static class NetworkAdvice
{
    public static string For(DicomNetworkException exception) => exception switch
    {
        AssociationRejectedException { Reject.Reason: AssociateRejectReason.CallingAeTitleNotRecognized, Reject.Source: AssociateRejectSource.ServiceUser } =>
            "\n  the peer does not know our AE title: register it there (as a modality / known AE) or pass the title it knows with -aet",
        AssociationRejectedException { Reject.Reason: AssociateRejectReason.CalledAeTitleNotRecognized, Reject.Source: AssociateRejectSource.ServiceUser } =>
            "\n  the peer has another AE title: pass it with -aec",
        AssociationRejectedException { Reject.Result: AssociateRejectResult.RejectedTransient } =>
            "\n  the peer is busy: try again later",
        AssociationRejectedException => "\n  check the AE titles (-aet, -aec) and the peer's configuration for this caller",
        AssociationAbortedException => "\n  the peer aborted the association: its log says why (a PACS often does so for a calling AE title it does " +
            "not know for query/retrieve: register ours there, or pass the one it knows with -aet)",
        DicomNetworkTimeoutException => "\n  the peer did not answer in time: check that host and port are a DICOM service, or raise the timeouts (-to, -ta, -td)",
        NoPresentationContextException => "\n  the peer does not accept this SOP class or transfer syntax: check its configuration",
        _ => "",
    };
}
