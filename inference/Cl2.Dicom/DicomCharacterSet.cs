using System.Text;

namespace Cl2.Dicom;

/// <summary>
/// Specific Character Set (0008,0005) and its decoding rules (PS3.5 §6.1, PS3.3 C.12.1.1.2): single-byte sets, UTF-8,
/// GB18030/GBK, and ISO 2022 code extensions with escape sequences (Japanese IR 87/159/13, Korean IR 149, ...).
/// </summary>
public sealed class DicomCharacterSet
{
    private const byte Escape = 0x1B;

    private static readonly Dictionary<string, int> SingleByte = new(StringComparer.Ordinal)
    {
        ["ISO_IR 6"] = 20127, ["ISO_IR 100"] = 28591, ["ISO_IR 101"] = 28592, ["ISO_IR 109"] = 28593, ["ISO_IR 110"] = 28594,
        ["ISO_IR 144"] = 28595, ["ISO_IR 127"] = 28596, ["ISO_IR 126"] = 28597, ["ISO_IR 138"] = 28598, ["ISO_IR 148"] = 28599,
        ["ISO_IR 203"] = 28605, ["ISO_IR 166"] = 874, ["ISO_IR 13"] = 932, ["ISO_IR 192"] = 65001, ["GB18030"] = 54936, ["GBK"] = 936,
    };

    // The code page whose G1 (high half) a "ISO 2022 IR nnn" term designates; IR 13 designates JIS X 0201 katakana.
    private static readonly Dictionary<string, int> Iso2022 = new(StringComparer.Ordinal)
    {
        ["ISO 2022 IR 6"] = 20127, ["ISO 2022 IR 100"] = 28591, ["ISO 2022 IR 101"] = 28592, ["ISO 2022 IR 109"] = 28593,
        ["ISO 2022 IR 110"] = 28594, ["ISO 2022 IR 144"] = 28595, ["ISO 2022 IR 127"] = 28596, ["ISO 2022 IR 126"] = 28597,
        ["ISO 2022 IR 138"] = 28598, ["ISO 2022 IR 148"] = 28599, ["ISO 2022 IR 203"] = 28605, ["ISO 2022 IR 166"] = 874,
        ["ISO 2022 IR 13"] = 932, ["ISO 2022 IR 87"] = 50220, ["ISO 2022 IR 159"] = 50220, ["ISO 2022 IR 149"] = 949,
        ["ISO 2022 IR 58"] = 936,
    };

    static DicomCharacterSet() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static readonly DicomCharacterSet Default = new([]);

    private readonly Encoding _primary;

    private readonly Encoding? _g1Initial;

    private DicomCharacterSet(IReadOnlyList<string> terms)
    {
        Terms = terms;
        var first = terms.Count > 0 ? terms[0].Trim() : "";
        IsIso2022 = terms.Any(t => t.Trim().StartsWith("ISO 2022", StringComparison.Ordinal));
        if (first.Length == 0)
        {
            _primary = Latin1Tolerant;
        }
        else if (SingleByte.TryGetValue(first, out var codePage))
        {
            _primary = codePage == 932 ? Latin1Tolerant : Get(codePage);
            _g1Initial = codePage == 932 ? Get(932) : null;
        }
        else if (Iso2022.TryGetValue(first, out codePage))
        {
            _primary = Latin1Tolerant;
            _g1Initial = codePage is 20127 or 50220 ? null : Get(codePage);
        }
        else
        {
            _primary = Latin1Tolerant;
        }
    }

    /// <summary>The defined terms of (0008,0005), in order; empty for the default repertoire.</summary>
    public IReadOnlyList<string> Terms { get; }

    public bool IsIso2022 { get; }

    // Bytes above 0x7F outside any declared set still decode (as Latin-1) rather than vanish, as DCMTK does.
    private static Encoding Latin1Tolerant => Encoding.Latin1;

    public static DicomCharacterSet FromTerms(IReadOnlyList<string> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        return terms.Count == 0 || (terms.Count == 1 && terms[0].Trim().Length == 0) ? Default : new DicomCharacterSet(terms);
    }

    public string Decode(ReadOnlySpan<byte> bytes, DicomVR vr)
    {
        ArgumentNullException.ThrowIfNull(vr);
        if (!vr.UsesSpecificCharacterSet)
        {
            return Encoding.Latin1.GetString(bytes);
        }
        if (!IsIso2022 && _g1Initial is null)
        {
            return _primary.GetString(bytes);
        }
        return DecodeIso2022(bytes, vr);
    }

    public byte[] Encode(string text, DicomVR vr)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(vr);
        if (!vr.UsesSpecificCharacterSet)
        {
            return Encoding.ASCII.GetBytes(text);
        }
        if (Terms.Any(t => t.Contains("IR 87", StringComparison.Ordinal)))
        {
            return Get(50220).GetBytes(text);
        }
        return (_g1Initial ?? _primary).GetBytes(text);
    }

    private string DecodeIso2022(ReadOnlySpan<byte> bytes, DicomVR vr)
    {
        var text = new StringBuilder(bytes.Length);
        Encoding? g0 = null; // null: ASCII
        var g0Prefix = Array.Empty<byte>();
        var g1 = _g1Initial;
        var start = 0;
        var i = 0;
        void Flush(ReadOnlySpan<byte> segment)
        {
            if (segment.IsEmpty)
            {
                return;
            }
            if (g0 is not null)
            {
                // A multi-byte G0 set (JIS X 0208/0212): let the ISO-2022-JP decoder see its designation again.
                var framed = new byte[g0Prefix.Length + segment.Length];
                g0Prefix.CopyTo(framed, 0);
                segment.CopyTo(framed.AsSpan(g0Prefix.Length));
                text.Append(g0.GetString(framed));
                return;
            }
            var run = 0;
            while (run < segment.Length)
            {
                var high = segment[run] >= 0x80;
                var end = run;
                while (end < segment.Length && (segment[end] >= 0x80) == high)
                {
                    end++;
                }
                var piece = segment[run..end];
                text.Append(high ? (g1 ?? Latin1Tolerant).GetString(piece) : Encoding.Latin1.GetString(piece));
                run = end;
            }
        }
        while (i < bytes.Length)
        {
            var b = bytes[i];
            if (b == Escape)
            {
                Flush(bytes[start..i]);
                var length = EscapeLength(bytes[i..]);
                var sequence = bytes.Slice(i, length);
                ApplyEscape(sequence, ref g0, ref g0Prefix, ref g1);
                i += length;
                start = i;
                continue;
            }
            // Delimiters return to the initial sets (PS3.5 §6.1.2.5.3) — only meaningful while G0 is single-byte.
            if (g0 is null && IsDelimiter(b, vr))
            {
                Flush(bytes[start..i]);
                text.Append((char)b);
                g1 = _g1Initial;
                i++;
                start = i;
                continue;
            }
            i++;
        }
        Flush(bytes[start..]);
        return text.ToString();
    }

    private static bool IsDelimiter(byte b, DicomVR vr) =>
        b is 0x0D or 0x0A or 0x09 or 0x0C || (b == '\\' && vr.IsMultiValued) || (vr == DicomVR.PN && b is (byte)'^' or (byte)'=');

    private static int EscapeLength(ReadOnlySpan<byte> bytes)
    {
        // ESC, then intermediate bytes 0x20–0x2F, then one final byte.
        var n = 1;
        while (n < bytes.Length && bytes[n] is >= 0x20 and <= 0x2F)
        {
            n++;
        }
        return Math.Min(n + 1, bytes.Length);
    }

    private static void ApplyEscape(ReadOnlySpan<byte> sequence, ref Encoding? g0, ref byte[] g0Prefix, ref Encoding? g1)
    {
        var code = Encoding.Latin1.GetString(sequence[1..]);
        switch (code)
        {
            case "(B":
            case "(J":
                g0 = null;
                break;
            case "$B":
            case "$@":
            case "$(D":
                g0 = Get(50220);
                g0Prefix = sequence.ToArray();
                break;
            case ")I":
                g1 = Get(932);
                break;
            case "$)C":
                g1 = Get(949);
                break;
            case "$)A":
                g1 = Get(936);
                break;
            case "-A":
                g1 = Get(28591);
                break;
            case "-B":
                g1 = Get(28592);
                break;
            case "-C":
                g1 = Get(28593);
                break;
            case "-D":
                g1 = Get(28594);
                break;
            case "-L":
                g1 = Get(28595);
                break;
            case "-G":
                g1 = Get(28596);
                break;
            case "-F":
                g1 = Get(28597);
                break;
            case "-H":
                g1 = Get(28598);
                break;
            case "-M":
                g1 = Get(28599);
                break;
            case "-T":
                g1 = Get(874);
                break;
            case "-b":
                g1 = Get(28605);
                break;
        }
    }

    private static Encoding Get(int codePage) => Encoding.GetEncoding(codePage);

    public override string ToString() => Terms.Count == 0 ? "default repertoire" : string.Join('\\', Terms);
}
