namespace Cl2.Dicom.Network.UpperLayer;

/// <summary>A presentation context as proposed in A-ASSOCIATE-RQ (PS3.8 9.3.2.2): an odd id, one abstract syntax,
/// the transfer syntaxes the requestor can use for it.</summary>
public sealed record PresentationContext(byte Id, string AbstractSyntax, IReadOnlyList<string> TransferSyntaxes);
