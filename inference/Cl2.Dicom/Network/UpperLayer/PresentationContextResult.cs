namespace Cl2.Dicom.Network.UpperLayer;

/// <summary>Result/reason of one presentation context in A-ASSOCIATE-AC (PS3.8 9.3.3.2).</summary>
public enum PresentationContextResultReason : byte
{
    Acceptance = 0,
    UserRejection = 1,
    NoReason = 2,
    AbstractSyntaxNotSupported = 3,
    TransferSyntaxesNotSupported = 4,
}

/// <summary>A presentation context as answered in A-ASSOCIATE-AC. The transfer syntax is significant only when accepted.</summary>
public sealed record PresentationContextResult(byte Id, PresentationContextResultReason Result, string TransferSyntax)
{
    public bool IsAccepted => Result == PresentationContextResultReason.Acceptance;
}
