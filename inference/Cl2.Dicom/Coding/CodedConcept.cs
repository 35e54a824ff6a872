namespace Cl2.Dicom.Coding;

/// <summary>
/// A coded concept (PS3.3 §8.8, the Code Sequence Macro): Code Value, Coding Scheme Designator and Code Meaning, e.g.
/// (10200004, SCT, "Liver"). The well-known concepts cl2 writes are in <see cref="CodedConcepts"/>.
/// </summary>
/// <param name="Value">Code Value (0008,0100), at most 16 characters.</param>
/// <param name="Scheme">Coding Scheme Designator (0008,0102): SCT, DCM, NCIt, UCUM, RFC5646…</param>
/// <param name="Meaning">Code Meaning (0008,0104), as the standard's context group gives it.</param>
public sealed record CodedConcept(string Value, string Scheme, string Meaning)
{
    /// <summary>The longest Code Value (SH); longer codes go in Long Code Value, which cl2 does not write.</summary>
    public const int MaxValueLength = 16;

    /// <summary>A sequence item holding the code (PS3.3 Table 8.8-1).</summary>
    public DicomDataset ToItem()
    {
        if (Value.Length is 0 or > MaxValueLength)
        {
            throw new ArgumentException($"code value '{Value}' of '{Meaning}' must have 1 to {MaxValueLength} characters");
        }
        return new DicomDataset()
            .SetString(DicomTags.CodeValue, Value)
            .SetString(DicomTags.CodingSchemeDesignator, Scheme)
            .SetString(DicomTags.CodeMeaning, Meaning);
    }

    /// <summary>A sequence holding this code as its one item.</summary>
    public DicomSequence ToSequence(DicomTag tag) => new(tag, [ToItem()]);

    /// <summary>Reads a code item: Code Value, else Long Code Value or URN Code Value.</summary>
    /// <exception cref="FormatException">The item has no code value or no coding scheme designator.</exception>
    public static CodedConcept FromItem(DicomDataset item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var value = item.GetStringOrDefault(DicomTags.CodeValue)
            ?? item.GetStringOrDefault(DicomTags.LongCodeValue)
            ?? item.GetStringOrDefault(DicomTags.URNCodeValue)
            ?? throw new FormatException("a code item has no Code Value (0008,0100), Long Code Value or URN Code Value");
        var scheme = item.GetStringOrDefault(DicomTags.CodingSchemeDesignator)
            ?? (item.Contains(DicomTags.URNCodeValue) ? "" : throw new FormatException($"code {value} has no Coding Scheme Designator (0008,0102)"));
        return new CodedConcept(value.Trim(), scheme.Trim(), item.GetStringOrDefault(DicomTags.CodeMeaning, "")!.Trim());
    }

    /// <summary>Whether two codes name the same concept: value and scheme, whatever the meaning's wording.</summary>
    public bool Means(CodedConcept other) =>
        other is not null && Value == other.Value && string.Equals(Scheme, other.Scheme, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => $"({Value}, {Scheme}, \"{Meaning}\")";
}
