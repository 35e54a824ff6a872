using System.Text.RegularExpressions;

namespace Cl2.Dicom.Deidentification;

/// <summary>
/// The C action of the Clean Descriptors option, done without understanding the text: every word of the instance's own
/// identifying values (names, IDs, institution, station… anything Table E.1-1 removes, blanks or replaces) is cut out
/// of the descriptor, as are dates and runs of 5 or more digits (record numbers, phone numbers). What is left is the
/// clinical wording ("CHEST PA", "T2 AX"); free text that names someone who appears nowhere else in the instance is
/// not recognised.
/// </summary>
public sealed partial class DescriptorCleaner
{
    // Words shorter than this are cut only as whole words, so that "LI" in a name does not mangle "OBLIQUE".
    private const int SubstringMinimum = 4;

    private readonly Regex _identifiers;

    private DescriptorCleaner(IEnumerable<string> words)
    {
        var alternatives = words
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderByDescending(w => w.Length)
            .Select(w => w.Length >= SubstringMinimum ? Regex.Escape(w) : $@"(?<![\p{{L}}\p{{N}}]){Regex.Escape(w)}(?![\p{{L}}\p{{N}}])")
            .ToArray();
        _identifiers = alternatives.Length == 0
            ? NothingPattern()
            : new Regex(string.Join('|', alternatives), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    /// <summary>Collects the identifying words of <paramref name="dataset"/> (its sequences included) before anything is changed.</summary>
    public static DescriptorCleaner For(DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var words = new List<string>();
        Collect(dataset, words);
        return new DescriptorCleaner(words);
    }

    public string Clean(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var cleaned = _identifiers.Replace(text, " ");
        cleaned = DatePattern().Replace(cleaned, " ");
        cleaned = LongNumberPattern().Replace(cleaned, " ");
        return Whitespace().Replace(cleaned, " ").Trim();
    }

    private static void Collect(DicomDataset dataset, List<string> words)
    {
        foreach (var element in dataset)
        {
            if (element is DicomSequence sequence)
            {
                foreach (var item in sequence.Items)
                {
                    Collect(item, words);
                }
                continue;
            }
            if (element is not DicomValueElement || !IsIdentifyingText(element) || !dataset.TryGetString(element.Tag, out var value))
            {
                continue;
            }
            foreach (var word in WordSeparators().Split(value))
            {
                if (word.Length >= 2)
                {
                    words.Add(word);
                }
            }
        }
    }

    private static bool IsIdentifyingText(DicomElement element)
    {
        if (element.VR.Code is not ("PN" or "LO" or "SH" or "LT" or "ST" or "UT" or "UC" or "AE"))
        {
            return false;
        }
        var attribute = ConfidentialityProfile.Find(element.Tag);
        return attribute is not null && !attribute.Tag.IsPrivate && attribute.BasicProfile is not (ConfidentialityAction.Keep or ConfidentialityAction.Clean)
            && attribute.Options.All(o => o.Option != ConfidentialityOption.CleanDescriptors);
    }

    [GeneratedRegex(@"[\s\^=\\,;:/()\-]+")]
    private static partial Regex WordSeparators();

    [GeneratedRegex(@"\b(?:\d{4}[-./]?\d{2}[-./]?\d{2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})\b")]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"\d{5,}")]
    private static partial Regex LongNumberPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"(?!)")]
    private static partial Regex NothingPattern();
}
