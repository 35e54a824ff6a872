using System.Buffers.Binary;
using System.Collections;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Cl2.Dicom;

/// <summary>
/// A dataset (PS3.5 §7): elements in ascending tag order, with a typed API. Text values keep their encoded bytes and are
/// decoded with the Specific Character Set in force (the dataset's own, else that of the dataset holding its sequence).
/// </summary>
public sealed partial class DicomDataset : IEnumerable<DicomElement>
{
    private readonly SortedList<DicomTag, DicomElement> _elements = [];
    private DicomValueElement? _characterSetSource;
    private DicomCharacterSet? _characterSet;

    public DicomDataset()
    {
    }

    public DicomDataset(IEnumerable<DicomElement> elements)
    {
        ArgumentNullException.ThrowIfNull(elements);
        foreach (var element in elements)
        {
            Add(element);
        }
    }

    public int Count => _elements.Count;

    /// <summary>The sequence that holds this dataset as an item; null for a top-level dataset.</summary>
    public DicomSequence? Parent { get; internal set; }

    public DicomCharacterSet CharacterSet
    {
        get
        {
            if (!_elements.TryGetValue(DicomTags.SpecificCharacterSet, out var element) || element is not DicomValueElement value)
            {
                return Parent?.Owner?.CharacterSet ?? DicomCharacterSet.Default;
            }
            // Parsed once per (0008,0005) element: every text value of the dataset asks for it.
            if (!ReferenceEquals(_characterSetSource, value))
            {
                _characterSet = DicomCharacterSet.FromTerms(SplitValues(System.Text.Encoding.Latin1.GetString(value.Buffer.GetBytes().Span), DicomVR.CS));
                _characterSetSource = value;
            }
            return _characterSet!;
        }
    }

    public bool Contains(DicomTag tag) => _elements.ContainsKey(tag);

    public DicomElement? Find(DicomTag tag) => _elements.GetValueOrDefault(tag);

    public bool TryGetElement(DicomTag tag, out DicomElement element) => _elements.TryGetValue(tag, out element!);

    public DicomElement GetElement(DicomTag tag) =>
        _elements.TryGetValue(tag, out var element) ? element : throw new KeyNotFoundException($"the dataset has no element {Describe(tag)}");

    /// <summary>Adds or replaces the element with the same tag.</summary>
    public DicomDataset Add(DicomElement element)
    {
        ArgumentNullException.ThrowIfNull(element);
        if (element is DicomSequence sequence)
        {
            sequence.Owner = this;
        }
        _elements[element.Tag] = element;
        return this;
    }

    public bool Remove(DicomTag tag) => _elements.Remove(tag);

    public IEnumerator<DicomElement> GetEnumerator() => _elements.Values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // ---- reading values ----

    /// <summary>The whole value as text: values joined by '\', trailing padding removed. Binary values are formatted.</summary>
    public string GetString(DicomTag tag) =>
        TryGetString(tag, out var value) ? value : throw new KeyNotFoundException($"the dataset has no value for {Describe(tag)}");

    public bool TryGetString(DicomTag tag, out string value)
    {
        value = "";
        if (Find(tag) is not DicomValueElement element)
        {
            return false;
        }
        value = element.VR.IsText ? TrimPadding(DecodeText(element), element.VR) : string.Join('\\', GetValues<string>(tag));
        return true;
    }

    public string? GetStringOrDefault(DicomTag tag, string? fallback = null) => TryGetString(tag, out var value) ? value : fallback;

    public IReadOnlyList<string> GetStrings(DicomTag tag) => GetValues<string>(tag);

    /// <summary>
    /// The values as <typeparamref name="T"/>: string; a numeric type (from binary VRs, or parsed from DS/IS);
    /// <see cref="DicomTag"/> for AT; <see cref="DicomPersonName"/> for PN. An empty element gives no values.
    /// </summary>
    public T[] GetValues<T>(DicomTag tag)
    {
        if (Find(tag) is not DicomValueElement element)
        {
            throw new KeyNotFoundException($"the dataset has no value for {Describe(tag)}");
        }
        return element.VR.IsText ? ConvertText<T>(element) : ConvertBinary<T>(element);
    }

    public T GetValue<T>(DicomTag tag, int index = 0)
    {
        var values = GetValues<T>(tag);
        return index < values.Length
            ? values[index]
            : throw new KeyNotFoundException($"{Describe(tag)} has {values.Length} values; value {index} was asked for");
    }

    public bool TryGetValue<T>(DicomTag tag, out T value, int index = 0)
    {
        value = default!;
        if (Find(tag) is not DicomValueElement)
        {
            return false;
        }
        try
        {
            var values = GetValues<T>(tag);
            if (index >= values.Length)
            {
                return false;
            }
            value = values[index];
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public T GetValueOrDefault<T>(DicomTag tag, T fallback, int index = 0) => TryGetValue<T>(tag, out var value, index) ? value : fallback;

    public DicomSequence GetSequence(DicomTag tag) =>
        Find(tag) as DicomSequence ?? throw new KeyNotFoundException($"the dataset has no sequence {Describe(tag)}");

    public bool TryGetSequence(DicomTag tag, out DicomSequence sequence)
    {
        sequence = (Find(tag) as DicomSequence)!;
        return sequence is not null;
    }

    /// <summary>
    /// The fragments of each frame of encapsulated Pixel Data, using Number of Frames (0028,0008) and, when present, the
    /// Extended Offset Table (7FE0,0001); see <see cref="DicomFragmentSequence.GetFrameFragments"/>.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<DicomBuffer>> GetFrameFragments()
    {
        var pixelData = Find(DicomTags.PixelData) as DicomFragmentSequence
            ?? throw new InvalidOperationException("the dataset has no encapsulated Pixel Data (7FE0,0010)");
        var frames = GetValueOrDefault(DicomTags.NumberOfFrames, 1);
        var extended = Find(DicomTags.ExtendedOffsetTable) is DicomValueElement table ? GetValues<ulong>(table.Tag) : null;
        return pixelData.GetFrameFragments(Math.Max(1, frames), extended);
    }

    public DicomPersonName GetPersonName(DicomTag tag) => GetValue<DicomPersonName>(tag);

    /// <summary>A DA value (YYYYMMDD; the pre-3.0 form YYYY.MM.DD is accepted too).</summary>
    public DateOnly GetDate(DicomTag tag) =>
        DateOnly.ParseExact(GetValue<string>(tag).Replace(".", "", StringComparison.Ordinal), "yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>A TM value: HH, HHMM, HHMMSS or HHMMSS.FFFFFF (the pre-3.0 form with colons is accepted too).</summary>
    public TimeOnly GetTime(DicomTag tag) => DicomDateTime.ParseTime(GetValue<string>(tag));

    /// <summary>A DT value: YYYY[MM[DD[HH[MM[SS[.F{1-6}]]]]]][&amp;ZZXX]; no offset means the local offset of the writer, given as UTC here.</summary>
    public DateTimeOffset GetDateTime(DicomTag tag) => DicomDateTime.ParseDateTime(GetValue<string>(tag));

    public static string Describe(DicomTag tag) => $"{tag} {DicomDictionary.KeywordOf(tag)}";

    internal string DecodeText(DicomValueElement element) => CharacterSet.Decode(element.Buffer.GetBytes().Span, element.VR);

    internal static string TrimPadding(string text, DicomVR vr) =>
        vr == DicomVR.UI ? text.TrimEnd('\0', ' ') : text.TrimEnd(' ', '\0');

    internal static string[] SplitValues(string text, DicomVR vr)
    {
        if (text.Length == 0)
        {
            return [];
        }
        var values = vr.IsMultiValued ? text.Split('\\') : [text];
        for (var i = 0; i < values.Length; i++)
        {
            // Leading spaces are significant only in LT, ST, UT (PS3.5 Table 6.2-1); trailing padding never is.
            values[i] = vr.IsMultiValued ? TrimPadding(values[i], vr).TrimStart(' ') : TrimPadding(values[i], vr);
            if (vr == DicomVR.PN || vr == DicomVR.LO || vr == DicomVR.SH)
            {
                values[i] = values[i].TrimEnd(' ');
            }
        }
        return values;
    }

    private T[] ConvertText<T>(DicomValueElement element)
    {
        var values = SplitValues(DecodeText(element), element.VR);
        if (typeof(T) == typeof(string))
        {
            return (T[])(object)values;
        }
        if (typeof(T) == typeof(DicomPersonName))
        {
            return (T[])(object)values.Select(DicomPersonName.Parse).ToArray();
        }
        var result = new T[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            try
            {
                result[i] = (T)Convert.ChangeType(values[i].Trim(), typeof(T), CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
            {
                throw new FormatException($"value {i} of {Describe(element.Tag)}, '{values[i]}', is not a {typeof(T).Name}", e);
            }
        }
        return result;
    }

    private static T[] ConvertBinary<T>(DicomValueElement element)
    {
        var bytes = element.Buffer.GetBytes().Span;
        var vr = element.VR;
        if (vr == DicomVR.AT)
        {
            var tags = new DicomTag[bytes.Length / 4];
            for (var i = 0; i < tags.Length; i++)
            {
                tags[i] = new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(4 * i)..]), BinaryPrimitives.ReadUInt16LittleEndian(bytes[(4 * i + 2)..]));
            }
            return typeof(T) == typeof(DicomTag) ? (T[])(object)tags
                : typeof(T) == typeof(string) ? (T[])(object)tags.Select(t => $"{t.Group:X4}{t.Element:X4}").ToArray()
                : throw new InvalidCastException($"{Describe(element.Tag)} is AT: read it as DicomTag or string");
        }
        if (typeof(T) == typeof(byte) && vr.UnitSize == 1)
        {
            return (T[])(object)bytes.ToArray();
        }
        object[] values = vr.Code switch
        {
            "US" or "OW" => Box(MemoryMarshal.Cast<byte, ushort>(bytes[..(bytes.Length & ~1)])),
            "SS" => Box(MemoryMarshal.Cast<byte, short>(bytes[..(bytes.Length & ~1)])),
            "UL" or "OL" => Box(MemoryMarshal.Cast<byte, uint>(bytes[..(bytes.Length & ~3)])),
            "SL" => Box(MemoryMarshal.Cast<byte, int>(bytes[..(bytes.Length & ~3)])),
            "FL" or "OF" => Box(MemoryMarshal.Cast<byte, float>(bytes[..(bytes.Length & ~3)])),
            "FD" or "OD" => Box(MemoryMarshal.Cast<byte, double>(bytes[..(bytes.Length & ~7)])),
            "SV" => Box(MemoryMarshal.Cast<byte, long>(bytes[..(bytes.Length & ~7)])),
            "UV" or "OV" => Box(MemoryMarshal.Cast<byte, ulong>(bytes[..(bytes.Length & ~7)])),
            _ => Box(bytes),
        };
        if (typeof(T) == typeof(string))
        {
            return (T[])(object)values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)!).ToArray();
        }
        return values.Select(v => (T)Convert.ChangeType(v, typeof(T), CultureInfo.InvariantCulture)).ToArray();
    }

    private static object[] Box<TValue>(ReadOnlySpan<TValue> values)
        where TValue : struct
    {
        var boxed = new object[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            boxed[i] = values[i];
        }
        return boxed;
    }
}
