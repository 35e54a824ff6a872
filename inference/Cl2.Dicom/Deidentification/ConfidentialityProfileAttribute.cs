namespace Cl2.Dicom.Deidentification;

/// <summary>
/// The tag column of Table E.1-1: one tag, or a repeating group (50xx/60xx: the even groups xx00-xx1E), or every private
/// element ((gggg,eeee) with gggg odd).
/// </summary>
public readonly record struct ConfidentialityTagPattern(ushort Group, ushort Element, ushort GroupMask, ushort ElementMask)
{
    public static readonly ConfidentialityTagPattern Private = new(0x0001, 0x0000, 0x0001, 0x0000);

    public bool IsPrivate => this == Private;

    public bool IsSingleTag => GroupMask == 0xFFFF && ElementMask == 0xFFFF;

    public DicomTag Tag => new(Group, Element);

    public bool Matches(DicomTag tag) =>
        IsPrivate ? tag.IsPrivate : (tag.Group & GroupMask) == Group && (tag.Element & ElementMask) == Element;

    public override string ToString() =>
        IsPrivate ? "(gggg,eeee) private" : IsSingleTag ? Tag.ToString() : $"({Group >> 8:X2}xx,{(ElementMask == 0 ? "xxxx" : Element.ToString("X4"))})";
}

/// <summary>An option column's action for one attribute (an empty cell has no entry).</summary>
public readonly record struct ConfidentialityOptionAction(ConfidentialityOption Option, ConfidentialityAction Action);

/// <summary>One row of PS3.15 Table E.1-1.</summary>
public sealed record ConfidentialityProfileAttribute(
    ConfidentialityTagPattern Tag,
    string Name,
    bool InStandardCompositeIod,
    ConfidentialityAction BasicProfile,
    IReadOnlyList<ConfidentialityOptionAction> Options)
{
    /// <summary>
    /// The action in force with the selected options: an option's K wins over its C, which wins over another option's X,
    /// and the Basic Profile's action applies when no selected option has a cell for this attribute. Also returns the
    /// option whose cell was used (null for the Basic Profile).
    /// </summary>
    public (ConfidentialityAction Action, ConfidentialityOption? Option) ActionWith(IReadOnlySet<ConfidentialityOption> selected)
    {
        ArgumentNullException.ThrowIfNull(selected);
        ConfidentialityOptionAction? best = null;
        foreach (var cell in Options)
        {
            if (selected.Contains(cell.Option) && (best is null || Rank(cell.Action) < Rank(best.Value.Action)))
            {
                best = cell;
            }
        }
        return best is { } chosen ? (chosen.Action, chosen.Option) : (BasicProfile, null);
    }

    private static int Rank(ConfidentialityAction action) => action switch
    {
        ConfidentialityAction.Keep => 0,
        ConfidentialityAction.Clean => 1,
        _ => 2,
    };
}
