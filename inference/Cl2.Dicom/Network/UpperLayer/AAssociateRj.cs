namespace Cl2.Dicom.Network.UpperLayer;

public enum AssociateRejectResult : byte
{
    RejectedPermanent = 1,
    RejectedTransient = 2,
}

public enum AssociateRejectSource : byte
{
    ServiceUser = 1,
    ServiceProviderAcse = 2,
    ServiceProviderPresentation = 3,
}

/// <summary>Reason codes of A-ASSOCIATE-RJ; their meaning depends on the source (PS3.8 Table 9-21).</summary>
public static class AssociateRejectReason
{
    // Source: DICOM UL service-user
    public const byte NoReasonGiven = 1;
    public const byte ApplicationContextNameNotSupported = 2;
    public const byte CallingAeTitleNotRecognized = 3;
    public const byte CalledAeTitleNotRecognized = 7;

    // Source: DICOM UL service-provider (ACSE related function)
    public const byte ProtocolVersionNotSupported = 2;

    // Source: DICOM UL service-provider (presentation related function)
    public const byte TemporaryCongestion = 1;
    public const byte LocalLimitExceeded = 2;
}

/// <summary>A-ASSOCIATE-RJ PDU (PS3.8 9.3.4).</summary>
public sealed record AAssociateRj(AssociateRejectResult Result, AssociateRejectSource Source, byte Reason) : Pdu
{
    public override PduType Type => PduType.AAssociateRj;

    public string ReasonText => (Source, Reason) switch
    {
        (AssociateRejectSource.ServiceUser, AssociateRejectReason.NoReasonGiven) => "no-reason-given",
        (AssociateRejectSource.ServiceUser, AssociateRejectReason.ApplicationContextNameNotSupported) => "application-context-name-not-supported",
        (AssociateRejectSource.ServiceUser, AssociateRejectReason.CallingAeTitleNotRecognized) => "calling-AE-title-not-recognized",
        (AssociateRejectSource.ServiceUser, AssociateRejectReason.CalledAeTitleNotRecognized) => "called-AE-title-not-recognized",
        (AssociateRejectSource.ServiceProviderAcse, AssociateRejectReason.NoReasonGiven) => "no-reason-given",
        (AssociateRejectSource.ServiceProviderAcse, AssociateRejectReason.ProtocolVersionNotSupported) => "protocol-version-not-supported",
        (AssociateRejectSource.ServiceProviderPresentation, AssociateRejectReason.TemporaryCongestion) => "temporary-congestion",
        (AssociateRejectSource.ServiceProviderPresentation, AssociateRejectReason.LocalLimitExceeded) => "local-limit-exceeded",
        _ => $"reason {Reason}",
    };

    public override string ToString() => $"A-ASSOCIATE-RJ {Result} from {Source}: {ReasonText}";
}
