namespace Cl2.Dicom.Deidentification;

/// <summary>The action codes of PS3.15 Table E.1-1a, including the combined codes that leave the choice to the IOD.</summary>
public enum ConfidentialityAction
{
    /// <summary>K: keep the value (sequences are still processed item by item).</summary>
    Keep,

    /// <summary>X: remove the attribute.</summary>
    Remove,

    /// <summary>Z: replace with a zero-length value (a sequence with no items).</summary>
    Zero,

    /// <summary>D: replace with a non-zero-length dummy value consistent with the VR.</summary>
    Dummy,

    /// <summary>C: replace with a value of similar meaning known not to contain identifying information.</summary>
    Clean,

    /// <summary>U: replace with a UID that is consistent within the set of instances.</summary>
    Uid,

    /// <summary>Z/D: Z unless D is required to keep the IOD conformant.</summary>
    ZeroOrDummy,

    /// <summary>X/Z: X unless Z is required to keep the IOD conformant.</summary>
    RemoveOrZero,

    /// <summary>X/D: X unless D is required to keep the IOD conformant.</summary>
    RemoveOrDummy,

    /// <summary>X/Z/D: X unless Z or D is required to keep the IOD conformant.</summary>
    RemoveOrZeroOrDummy,

    /// <summary>X/Z/U*: X unless Z or replacing the contained instance UIDs (U) is required to keep the IOD conformant.</summary>
    RemoveOrZeroOrUids,
}

public static class ConfidentialityActionCodes
{
    /// <summary>The code as Table E.1-1 prints it: "X/Z/D", "U"…</summary>
    public static string ToCode(this ConfidentialityAction action) => action switch
    {
        ConfidentialityAction.Keep => "K",
        ConfidentialityAction.Remove => "X",
        ConfidentialityAction.Zero => "Z",
        ConfidentialityAction.Dummy => "D",
        ConfidentialityAction.Clean => "C",
        ConfidentialityAction.Uid => "U",
        ConfidentialityAction.ZeroOrDummy => "Z/D",
        ConfidentialityAction.RemoveOrZero => "X/Z",
        ConfidentialityAction.RemoveOrDummy => "X/D",
        ConfidentialityAction.RemoveOrZeroOrDummy => "X/Z/D",
        ConfidentialityAction.RemoveOrZeroOrUids => "X/Z/U*",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };
}
