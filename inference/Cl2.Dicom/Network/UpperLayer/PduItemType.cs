namespace Cl2.Dicom.Network.UpperLayer;

/// <summary>Item and sub-item types of A-ASSOCIATE-RQ/AC (PS3.8 9.3.2, PS3.7 Annex D.3.3).</summary>
internal static class PduItemType
{
    public const byte ApplicationContext = 0x10;
    public const byte PresentationContextRq = 0x20;
    public const byte PresentationContextAc = 0x21;
    public const byte AbstractSyntax = 0x30;
    public const byte TransferSyntax = 0x40;
    public const byte UserInformation = 0x50;
    public const byte MaximumLength = 0x51;
    public const byte ImplementationClassUid = 0x52;
    public const byte AsynchronousOperationsWindow = 0x53;
    public const byte ScpScuRoleSelection = 0x54;
    public const byte ImplementationVersionName = 0x55;
}
