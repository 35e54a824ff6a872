using System.Text.RegularExpressions;
using Cl2.Dicom;
using Cl2.Dicom.Deidentification;

namespace Cl2.Dicom.Tests.Deidentification;

/// <summary>
/// Checks a de-identified dataset against its original, attribute by attribute and at every depth: each attribute that
/// Table E.1-1 lists must show its action (X gone, Z empty, D replaced, K equal, U mapped, C cleaned or shifted). The
/// choice among an option's cells is made here again, independently of the implementation. UIDs seen are collected in
/// <see cref="UidMap"/>, so one verifier over many files checks that a UID maps the same way everywhere.
/// </summary>
internal sealed partial class ProfileVerifier(IReadOnlySet<ConfidentialityOption> options)
{
    private static readonly HashSet<DicomTag> AddedByProfile =
    [
        DicomTags.PatientIdentityRemoved, DicomTags.DeidentificationMethod, DicomTags.DeidentificationMethodCodeSequence,
        DicomTags.LongitudinalTemporalInformationModified,
    ];

    private static readonly HashSet<DicomTag> CodeAttributes =
    [
        DicomTags.CodeValue, DicomTags.CodingSchemeDesignator, DicomTags.CodingSchemeVersion, DicomTags.CodeMeaning,
        DicomTags.LongCodeValue, DicomTags.URNCodeValue, DicomTags.ContextIdentifier, DicomTags.MappingResource,
        DicomTags.MappingResourceName, DicomTags.ContextGroupVersion, DicomTags.ContextGroupLocalVersion, DicomTags.ContextGroupExtensionFlag,
    ];

    public Dictionary<string, string> UidMap { get; } = new(StringComparer.Ordinal);

    private readonly Dictionary<string, string> _reverse = new(StringComparer.Ordinal);

    /// <summary>How many listed attributes were checked, per action code: proof that the check saw something.</summary>
    public Dictionary<string, int> Checked { get; } = [];

    public List<string> Failures { get; } = [];

    private string[] _identifyingWords = [];

    private int? _dateShift;

    public void Verify(string name, DicomDataset original, DicomDataset output, PatientPseudonym pseudonym)
    {
        _identifyingWords = [.. IdentifyingWords(original)];
        _dateShift = null;
        Expect(output.GetString(DicomTags.PatientName) == pseudonym.PatientName, name, "Patient's Name is not the pseudonym");
        Expect(output.GetString(DicomTags.PatientID) == pseudonym.PatientId, name, "Patient ID is not the pseudonym");
        Expect(output.GetString(DicomTags.PatientIdentityRemoved) == "YES", name, "Patient Identity Removed is not YES");
        var codes = output.GetSequence(DicomTags.DeidentificationMethodCodeSequence).Items.Select(i => i.GetString(DicomTags.CodeValue)).ToHashSet();
        Expect(codes.Contains("113100"), name, "no 113100 in De-identification Method Code Sequence");
        foreach (var option in options)
        {
            Expect(codes.Contains(DeidentificationMethodCode.Of(option).Code.CodeValue), name, $"no code for {option}");
        }
        VerifyDataset(name, original, output, topLevel: true, inDummySequence: false);
    }

    private void VerifyDataset(string path, DicomDataset original, DicomDataset output, bool topLevel, bool inDummySequence)
    {
        foreach (var element in output)
        {
            Expect(!element.Tag.IsPrivate, path, $"private element {element.Tag} remains");
            Expect((element.Tag.Group & 0xFFE1) is not (0x5000 or 0x6000), path, $"curve or overlay element {element.Tag} remains");
        }
        foreach (var element in original)
        {
            var tag = element.Tag;
            var at = $"{path} {DicomDataset.Describe(tag)}";
            if (tag.IsPrivate || (tag.Group & 0xFFE1) is 0x5000 or 0x6000)
            {
                Expect(!output.Contains(tag), at, "should have been removed");
                Count(tag.IsPrivate ? "X private" : "X curve/overlay");
                continue;
            }
            if (tag.IsGroupLength || (topLevel && (tag == DicomTags.PatientName || tag == DicomTags.PatientID || AddedByProfile.Contains(tag))))
            {
                continue;
            }
            var row = Row(tag);
            if (row is null)
            {
                if (element is DicomValueElement && EffectiveVR(element).Code is "DA" or "DT" or "TM" && (inDummySequence || EffectiveVR(element) != DicomVR.TM))
                {
                    CheckUnlistedDate(at, original, output, element);
                }
                else if (inDummySequence && element is DicomValueElement && IsFreeText(element))
                {
                    CheckDummyText(at, original, output, element, allowDates: true);
                }
                else
                {
                    CheckKept(at, original, output, element, inDummySequence);
                }
                continue;
            }
            var (code, option) = ActionOf(row);
            Count(code);
            var isSequence = element is DicomSequence;
            switch (code)
            {
                case "X":
                    Expect(!output.Contains(tag), at, "X: still present");
                    break;
                case "Z" or "X/Z":
                case "X/Z/D" when isSequence:
                    CheckZero(at, output, element);
                    break;
                case "D" or "Z/D" or "X/D" or "X/Z/D":
                    if (isSequence)
                    {
                        CheckItems(at, (DicomSequence)element, output, inDummySequence: true);
                    }
                    else if (EffectiveVR(element) == DicomVR.UI)
                    {
                        CheckUids(at, original, output, element);
                    }
                    else
                    {
                        CheckDummyText(at, original, output, element, allowDates: false);
                    }
                    break;
                case "K":
                    CheckKept(at, original, output, element, inDummySequence);
                    break;
                case "U":
                    CheckUids(at, original, output, element);
                    break;
                case "X/Z/U*":
                    CheckItems(at, (DicomSequence)element, output, inDummySequence);
                    break;
                case "C":
                    CheckClean(at, original, output, element, option, inDummySequence);
                    break;
                default:
                    Failures.Add($"{at}: unexpected action {code}");
                    break;
            }
        }
    }

    private (string Code, ConfidentialityOption? Option) ActionOf(ConfidentialityProfileAttribute row)
    {
        // An option's K beats its C, which beats an X; with no selected option's cell, the Basic Profile column applies.
        var cells = row.Options.Where(o => options.Contains(o.Option)).ToArray();
        var keep = cells.FirstOrDefault(c => c.Action == ConfidentialityAction.Keep);
        if (cells.Any(c => c.Action == ConfidentialityAction.Keep))
        {
            return ("K", keep.Option);
        }
        var clean = cells.Where(c => c.Action == ConfidentialityAction.Clean).ToArray();
        if (clean.Length > 0)
        {
            return ("C", clean[0].Option);
        }
        return cells.Length > 0 ? (cells[0].Action.ToCode(), cells[0].Option) : (row.BasicProfile.ToCode(), null);
    }

    private static ConfidentialityProfileAttribute? Row(DicomTag tag) =>
        ConfidentialityProfile.Attributes.FirstOrDefault(a => a.Tag.IsSingleTag && a.Tag.Tag == tag)
        ?? ConfidentialityProfile.Attributes.FirstOrDefault(a => !a.Tag.IsSingleTag && a.Tag.Matches(tag));

    private void CheckZero(string at, DicomDataset output, DicomElement element)
    {
        switch (output.Find(element.Tag))
        {
            case DicomSequence sequence:
                Expect(sequence.Items.Count == 0, at, "Z: the sequence still has items");
                break;
            case DicomValueElement value:
                Expect(value.Length == 0, at, $"Z: the value has {value.Length} bytes");
                break;
            default:
                Failures.Add($"{at}: Z: missing");
                break;
        }
    }

    private void CheckDummyText(string at, DicomDataset original, DicomDataset output, DicomElement element, bool allowDates)
    {
        if (output.Find(element.Tag) is not DicomValueElement value || value.Length == 0)
        {
            Failures.Add($"{at}: D: missing or empty");
            return;
        }
        var vr = EffectiveVR(element);
        if (allowDates && (vr == DicomVR.DA || vr == DicomVR.DT || vr == DicomVR.TM)
            && options.Contains(ConfidentialityOption.RetainLongitudinalTemporalInformationFullDates))
        {
            return;
        }
        if (!vr.IsText)
        {
            Expect(value.Buffer.GetBytes().ToArray().All(b => b == 0), at, "D: a binary dummy should be zeros");
            return;
        }
        var before = Text(original, element);
        var after = Text(output, output.GetElement(element.Tag));
        var dated = allowDates && (vr == DicomVR.DA || vr == DicomVR.DT || vr == DicomVR.TM) && options.Contains(ConfidentialityOption.RetainLongitudinalTemporalInformationModifiedDates);
        Expect(dated || after != before || before == DummyValues.ForText(vr), at, $"D: '{before}' was kept");
    }

    private void CheckKept(string at, DicomDataset original, DicomDataset output, DicomElement element, bool inDummySequence)
    {
        if (element is DicomSequence sequence)
        {
            CheckItems(at, sequence, output, inDummySequence);
            return;
        }
        var kept = output.Find(element.Tag);
        if (kept is null)
        {
            Failures.Add($"{at}: K: missing");
            return;
        }
        if (element is DicomValueElement before && kept is DicomValueElement after)
        {
            Expect(before.Buffer.GetBytes().Span.SequenceEqual(after.Buffer.GetBytes().Span), at, "K: the value changed");
        }
    }

    private void CheckItems(string at, DicomSequence sequence, DicomDataset output, bool inDummySequence)
    {
        if (output.Find(sequence.Tag) is not DicomSequence copy || copy.Items.Count != sequence.Items.Count)
        {
            Failures.Add($"{at}: the sequence should keep its {sequence.Items.Count} items");
            return;
        }
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            VerifyDataset($"{at}[{i}]", sequence.Items[i], copy.Items[i], topLevel: false, inDummySequence);
        }
    }

    private void CheckUids(string at, DicomDataset original, DicomDataset output, DicomElement element)
    {
        if (output.Find(element.Tag) is not DicomValueElement)
        {
            Failures.Add($"{at}: U: missing");
            return;
        }
        var before = Text(original, element).Split('\\');
        var after = Text(output, output.GetElement(element.Tag)).Split('\\');
        Expect(before.Length == after.Length, at, $"U: {before.Length} UIDs became {after.Length}");
        foreach (var (old, mapped) in before.Zip(after))
        {
            if (old.Length == 0 || DicomUids.Find(old) is not null)
            {
                Expect(mapped == old, at, $"U: registered UID {old} was changed");
                continue;
            }
            Expect(mapped != old && mapped.StartsWith("2.25.", StringComparison.Ordinal) && mapped.Length <= 64 && UidSyntax().IsMatch(mapped),
                at, $"U: '{mapped}' is not a new valid UID");
            if (UidMap.TryGetValue(old, out var earlier))
            {
                Expect(earlier == mapped, at, $"U: {old} became {mapped} here and {earlier} elsewhere");
            }
            else
            {
                UidMap[old] = mapped;
                Expect(_reverse.TryAdd(mapped, old), at, $"U: {mapped} stands for two original UIDs");
            }
        }
    }

    private void CheckClean(string at, DicomDataset original, DicomDataset output, DicomElement element, ConfidentialityOption? option, bool inDummySequence)
    {
        if (element is DicomSequence sequence)
        {
            CheckItems(at, sequence, output, inDummySequence);
            return;
        }
        if (output.Find(element.Tag) is not DicomValueElement)
        {
            Failures.Add($"{at}: C: missing");
            return;
        }
        var vr = EffectiveVR(element);
        var before = Text(original, element);
        var after = Text(output, output.GetElement(element.Tag));
        if (option == ConfidentialityOption.RetainLongitudinalTemporalInformationModifiedDates)
        {
            CheckShifted(at, vr, before, after);
            return;
        }
        foreach (var word in _identifyingWords)
        {
            Expect(!after.Contains(word, StringComparison.OrdinalIgnoreCase), at, $"C: '{after}' still holds '{word}'");
        }
        Expect(!LongNumber().IsMatch(after), at, $"C: '{after}' still holds a long number");
        Count("C descriptors");
    }

    /// <summary>Dates the table does not list follow the listed ones: dummy, kept with Full Dates, shifted with Modified Dates.</summary>
    private void CheckUnlistedDate(string at, DicomDataset original, DicomDataset output, DicomElement element)
    {
        if (output.Find(element.Tag) is not DicomValueElement)
        {
            Failures.Add($"{at}: date missing");
            return;
        }
        var vr = EffectiveVR(element);
        var before = Text(original, element);
        var after = Text(output, output.GetElement(element.Tag));
        Count("unlisted date");
        if (options.Contains(ConfidentialityOption.RetainLongitudinalTemporalInformationFullDates) || (vr == DicomVR.TM && options.Contains(ConfidentialityOption.RetainLongitudinalTemporalInformationModifiedDates)))
        {
            Expect(after == before, at, $"date '{before}' should be kept, is '{after}'");
        }
        else if (options.Contains(ConfidentialityOption.RetainLongitudinalTemporalInformationModifiedDates))
        {
            CheckShifted(at, vr, before, after);
        }
        else
        {
            Expect(after == DummyValues.ForText(vr), at, $"date '{before}' should be the dummy, is '{after}'");
        }
    }

    private void CheckShifted(string at, DicomVR vr, string before, string after)
    {
        if (vr != DicomVR.DA && vr != DicomVR.DT)
        {
            Expect(after == before, at, "modified dates: a time or offset should stay");
            return;
        }
        if (after.Length == 0)
        {
            Expect(before.Split('\\').Any(v => v.Length < 8 || !DateOnly.TryParseExact(v[..8], "yyyyMMdd", out _)), at, $"modified dates: readable date '{before}' was dropped");
            return;
        }
        foreach (var (old, shifted) in before.Split('\\').Zip(after.Split('\\')))
        {
            var shift = DateOnly.ParseExact(old[..8], "yyyyMMdd").DayNumber - DateOnly.ParseExact(shifted[..8], "yyyyMMdd").DayNumber;
            Expect(shift is >= 1 and <= 3650 && old[8..] == shifted[8..], at, $"modified dates: '{old}' became '{shifted}'");
            _dateShift ??= shift;
            Expect(shift == _dateShift, at, $"modified dates: shifted by {shift} days, elsewhere by {_dateShift}");
        }
        Count("C dates shifted");
    }

    /// <summary>The patient's own name parts and ID, 4 characters or longer: what a clean descriptor must never show.</summary>
    private static IEnumerable<string> IdentifyingWords(DicomDataset original)
    {
        foreach (var tag in new[] { DicomTags.PatientName, DicomTags.PatientID, DicomTags.OtherPatientIDs, DicomTags.AccessionNumber })
        {
            if (original.Find(tag) is DicomValueElement { VR.IsText: true } && original.TryGetString(tag, out var value))
            {
                foreach (var word in Regex.Split(value, @"[\s\^=\\]+").Where(w => w.Length >= 4))
                {
                    yield return word;
                }
            }
        }
    }

    private static bool IsFreeText(DicomElement element) =>
        !CodeAttributes.Contains(element.Tag) && EffectiveVR(element).Code is "PN" or "LO" or "SH" or "ST" or "LT" or "UT" or "UC" or "DA" or "DT" or "TM";

    private static DicomVR EffectiveVR(DicomElement element) =>
        element.VR == DicomVR.UN ? DicomDictionary.ImplicitVR(element.Tag) : element.VR;

    private static string Text(DicomDataset dataset, DicomElement element) =>
        element.VR.IsText ? dataset.GetString(element.Tag)
            : System.Text.Encoding.ASCII.GetString(((DicomValueElement)element).Buffer.GetBytes().Span).TrimEnd('\0', ' ');

    private void Count(string code) => Checked[code] = Checked.GetValueOrDefault(code) + 1;

    private void Expect(bool condition, string at, string message)
    {
        if (!condition)
        {
            Failures.Add($"{at}: {message}");
        }
    }

    [GeneratedRegex(@"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$")]
    private static partial Regex UidSyntax();

    [GeneratedRegex(@"\d{5,}")]
    private static partial Regex LongNumber();
}
