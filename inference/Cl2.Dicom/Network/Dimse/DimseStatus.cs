namespace Cl2.Dicom.Network.Dimse;

/// <summary>Status (0000,0900) of a DIMSE response (PS3.7 Annex C, service-specific codes in PS3.4).</summary>
public readonly record struct DimseStatus(ushort Code)
{
    public static DimseStatus Success { get; } = new(0x0000);
    public static DimseStatus Pending { get; } = new(0xFF00);
    public static DimseStatus PendingWithWarnings { get; } = new(0xFF01);
    public static DimseStatus Cancel { get; } = new(0xFE00);

    public static DimseStatus ProcessingFailure { get; } = new(0x0110);
    public static DimseStatus DuplicateSopInstance { get; } = new(0x0111);
    public static DimseStatus NoSuchSopClass { get; } = new(0x0118);
    public static DimseStatus SopClassNotSupported { get; } = new(0x0122);
    /// <summary>Refused: Not Authorized (PS3.7 C.5.21): the peer may not ask for this.</summary>
    public static DimseStatus NotAuthorized { get; } = new(0x0124);
    public static DimseStatus UnrecognizedOperation { get; } = new(0x0211);
    public static DimseStatus MistypedArgument { get; } = new(0x0212);

    /// <summary>C-STORE: Refused, out of resources (PS3.4 B.2.3).</summary>
    public static DimseStatus OutOfResources { get; } = new(0xA700);
    /// <summary>C-MOVE/C-GET: Refused, out of resources, unable to perform sub-operations (PS3.4 C.4.2.1.5).</summary>
    public static DimseStatus OutOfResourcesSubOperations { get; } = new(0xA702);
    /// <summary>C-MOVE: Refused, move destination unknown.</summary>
    public static DimseStatus MoveDestinationUnknown { get; } = new(0xA801);
    /// <summary>C-STORE: data set does not match SOP class; C-FIND/MOVE/GET: identifier does not match SOP class.</summary>
    public static DimseStatus DataSetDoesNotMatchSopClass { get; } = new(0xA900);
    /// <summary>C-STORE: cannot understand; C-FIND/MOVE/GET: unable to process.</summary>
    public static DimseStatus CannotUnderstand { get; } = new(0xC000);

    public static DimseStatus CoercionOfDataElements { get; } = new(0xB000);
    public static DimseStatus SubOperationsCompleteWithFailures { get; } = new(0xB000);
    public static DimseStatus DataSetDoesNotMatchSopClassWarning { get; } = new(0xB007);
    public static DimseStatus ElementsDiscarded { get; } = new(0xB006);

    public bool IsSuccess => Code == Success.Code;
    public bool IsPending => Code == Pending.Code || Code == PendingWithWarnings.Code;
    public bool IsCancel => Code == Cancel.Code;
    public bool IsWarning => Code is 0x0001 or (>= 0xB000 and <= 0xBFFF);
    public bool IsFailure => !IsSuccess && !IsPending && !IsCancel && !IsWarning;

    public override string ToString() => $"0x{Code:X4}" + (IsSuccess ? " Success" : IsPending ? " Pending" : IsCancel ? " Cancel" : IsWarning ? " Warning" : " Failure");
}
