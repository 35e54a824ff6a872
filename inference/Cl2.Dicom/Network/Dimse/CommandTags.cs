namespace Cl2.Dicom.Network.Dimse;

/// <summary>Tags of the command group 0000 (PS3.7 E.1, E.2), as (group &lt;&lt; 16 | element).</summary>
public static class CommandTags
{
    public const uint CommandGroupLength = 0x0000_0000;
    public const uint AffectedSopClassUid = 0x0000_0002;
    public const uint RequestedSopClassUid = 0x0000_0003;
    public const uint CommandField = 0x0000_0100;
    public const uint MessageId = 0x0000_0110;
    public const uint MessageIdBeingRespondedTo = 0x0000_0120;
    public const uint MoveDestination = 0x0000_0600;
    public const uint Priority = 0x0000_0700;
    public const uint CommandDataSetType = 0x0000_0800;
    public const uint Status = 0x0000_0900;
    public const uint OffendingElement = 0x0000_0901;
    public const uint ErrorComment = 0x0000_0902;
    public const uint ErrorId = 0x0000_0903;
    public const uint AffectedSopInstanceUid = 0x0000_1000;
    public const uint RequestedSopInstanceUid = 0x0000_1001;
    public const uint NumberOfRemainingSubOperations = 0x0000_1020;
    public const uint NumberOfCompletedSubOperations = 0x0000_1021;
    public const uint NumberOfFailedSubOperations = 0x0000_1022;
    public const uint NumberOfWarningSubOperations = 0x0000_1023;
    public const uint MoveOriginatorApplicationEntityTitle = 0x0000_1030;
    public const uint MoveOriginatorMessageId = 0x0000_1031;
}
