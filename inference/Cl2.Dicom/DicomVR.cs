namespace Cl2.Dicom;

/// <summary>How a value of a value representation is encoded (PS3.5 §6.2).</summary>
public enum DicomVRKind
{
    Text,
    Binary,
    Sequence,
}

/// <summary>A value representation of PS3.5 Table 6.2-1.</summary>
public sealed class DicomVR : IEquatable<DicomVR>
{
    private static readonly Dictionary<string, DicomVR> ByCode = new(StringComparer.Ordinal);

    public static readonly DicomVR AE = new("AE", DicomVRKind.Text, 0, multiValued: true, characterSet: false, padding: (byte)' ');
    public static readonly DicomVR AS = new("AS", DicomVRKind.Text, 0, multiValued: true, characterSet: false, padding: (byte)' ');
    public static readonly DicomVR AT = new("AT", DicomVRKind.Binary, 2, multiValued: true);
    public static readonly DicomVR CS = new("CS", DicomVRKind.Text, 0, multiValued: true, characterSet: false, padding: (byte)' ');
    public static readonly DicomVR DA = new("DA", DicomVRKind.Text, 0, multiValued: true, characterSet: false, padding: (byte)' ');
    public static readonly DicomVR DS = new("DS", DicomVRKind.Text, 0, multiValued: true, characterSet: false, padding: (byte)' ');
    public static readonly DicomVR DT = new("DT", DicomVRKind.Text, 0, multiValued: true, characterSet: false, padding: (byte)' ');
    public static readonly DicomVR FD = new("FD", DicomVRKind.Binary, 8, multiValued: true);
    public static readonly DicomVR FL = new("FL", DicomVRKind.Binary, 4, multiValued: true);
    public static readonly DicomVR IS = new("IS", DicomVRKind.Text, 0, multiValued: true, characterSet: false, padding: (byte)' ');
    public static readonly DicomVR LO = new("LO", DicomVRKind.Text, 0, multiValued: true, characterSet: true, padding: (byte)' ');
    public static readonly DicomVR LT = new("LT", DicomVRKind.Text, 0, multiValued: false, characterSet: true, padding: (byte)' ');
    public static readonly DicomVR OB = new("OB", DicomVRKind.Binary, 1, longLength: true);
    public static readonly DicomVR OD = new("OD", DicomVRKind.Binary, 8, longLength: true);
    public static readonly DicomVR OF = new("OF", DicomVRKind.Binary, 4, longLength: true);
    public static readonly DicomVR OL = new("OL", DicomVRKind.Binary, 4, longLength: true);
    public static readonly DicomVR OV = new("OV", DicomVRKind.Binary, 8, longLength: true);
    public static readonly DicomVR OW = new("OW", DicomVRKind.Binary, 2, longLength: true);
    public static readonly DicomVR PN = new("PN", DicomVRKind.Text, 0, multiValued: true, characterSet: true, padding: (byte)' ');
    public static readonly DicomVR SH = new("SH", DicomVRKind.Text, 0, multiValued: true, characterSet: true, padding: (byte)' ');
    public static readonly DicomVR SL = new("SL", DicomVRKind.Binary, 4, multiValued: true);
    public static readonly DicomVR SQ = new("SQ", DicomVRKind.Sequence, 0, longLength: true);
    public static readonly DicomVR SS = new("SS", DicomVRKind.Binary, 2, multiValued: true);
    public static readonly DicomVR ST = new("ST", DicomVRKind.Text, 0, multiValued: false, characterSet: true, padding: (byte)' ');
    public static readonly DicomVR SV = new("SV", DicomVRKind.Binary, 8, multiValued: true, longLength: true);
    public static readonly DicomVR TM = new("TM", DicomVRKind.Text, 0, multiValued: true, characterSet: false, padding: (byte)' ');
    public static readonly DicomVR UC = new("UC", DicomVRKind.Text, 0, multiValued: true, characterSet: true, padding: (byte)' ', longLength: true);
    public static readonly DicomVR UI = new("UI", DicomVRKind.Text, 0, multiValued: true, characterSet: false, padding: 0);
    public static readonly DicomVR UL = new("UL", DicomVRKind.Binary, 4, multiValued: true);
    public static readonly DicomVR UN = new("UN", DicomVRKind.Binary, 1, longLength: true);
    public static readonly DicomVR UR = new("UR", DicomVRKind.Text, 0, multiValued: false, characterSet: false, padding: (byte)' ', longLength: true);
    public static readonly DicomVR US = new("US", DicomVRKind.Binary, 2, multiValued: true);
    public static readonly DicomVR UT = new("UT", DicomVRKind.Text, 0, multiValued: false, characterSet: true, padding: (byte)' ', longLength: true);
    public static readonly DicomVR UV = new("UV", DicomVRKind.Binary, 8, multiValued: true, longLength: true);

    private DicomVR(string code, DicomVRKind kind, int unitSize, bool multiValued = false, bool characterSet = false, byte padding = 0,
        bool longLength = false)
    {
        Code = code;
        Kind = kind;
        UnitSize = unitSize;
        IsMultiValued = multiValued;
        UsesSpecificCharacterSet = characterSet;
        PaddingByte = padding;
        HasLongLength = longLength;
        ByCode.Add(code, this);
    }

    public string Code { get; }

    public DicomVRKind Kind { get; }

    public bool IsText => Kind == DicomVRKind.Text;

    /// <summary>Bytes per binary value: the unit swapped between little and big endian (AT swaps as two 16-bit halves).</summary>
    public int UnitSize { get; }

    /// <summary>Whether a backslash separates values (false for LT, ST, UT, UR and the O* VRs).</summary>
    public bool IsMultiValued { get; }

    /// <summary>Whether Specific Character Set (0008,0005) applies (PS3.5 §6.1.2.3); other text VRs are the default repertoire.</summary>
    public bool UsesSpecificCharacterSet { get; }

    /// <summary>The byte that pads a value to even length: NUL for UI and binary VRs, space for the other text VRs.</summary>
    public byte PaddingByte { get; }

    /// <summary>Explicit VR encodes the length of these VRs in 4 bytes after 2 reserved bytes (PS3.5 §7.1.2).</summary>
    public bool HasLongLength { get; }

    public static IReadOnlyCollection<DicomVR> All => ByCode.Values;

    public static bool TryParse(string code, out DicomVR vr)
    {
        vr = null!;
        return code is not null && ByCode.TryGetValue(code, out vr!);
    }

    public static bool TryParse(ReadOnlySpan<byte> code, out DicomVR vr)
    {
        vr = null!;
        if (code.Length != 2 || code[0] is < (byte)'A' or > (byte)'Z' || code[1] is < (byte)'A' or > (byte)'Z')
        {
            return false;
        }
        vr = ByIndex.Table[(code[0] - 'A') * 26 + (code[1] - 'A')]!;
        return vr is not null;
    }

    // A nested type so that the table is built after every VR above exists; read once per element, so no string is made.
    private static class ByIndex
    {
        public static readonly DicomVR?[] Table = Build();

        private static DicomVR?[] Build()
        {
            var table = new DicomVR?[26 * 26];
            foreach (var vr in ByCode.Values)
            {
                table[(vr.Code[0] - 'A') * 26 + (vr.Code[1] - 'A')] = vr;
            }
            return table;
        }
    }

    public static DicomVR Parse(string code) =>
        TryParse(code, out var vr) ? vr : throw new FormatException($"'{code}' is not a value representation of PS3.5");

    public bool Equals(DicomVR? other) => ReferenceEquals(this, other);

    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    public override int GetHashCode() => Code.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Code;
}
