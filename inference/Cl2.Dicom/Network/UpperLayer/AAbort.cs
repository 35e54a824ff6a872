namespace Cl2.Dicom.Network.UpperLayer;

public enum AbortSource : byte
{
    ServiceUser = 0,
    ServiceProvider = 2,
}

/// <summary>A-ABORT reasons, significant when the source is the service provider (PS3.8 Table 9-26).</summary>
public enum AbortReason : byte
{
    NotSpecified = 0,
    UnrecognizedPdu = 1,
    UnexpectedPdu = 2,
    UnrecognizedPduParameter = 4,
    UnexpectedPduParameter = 5,
    InvalidPduParameterValue = 6,
}

/// <summary>A-ABORT PDU (PS3.8 9.3.8).</summary>
public sealed record AAbort(AbortSource Source, AbortReason Reason) : Pdu
{
    public override PduType Type => PduType.AAbort;

    public override string ToString() => $"A-ABORT from {Source}: {Reason}";
}
