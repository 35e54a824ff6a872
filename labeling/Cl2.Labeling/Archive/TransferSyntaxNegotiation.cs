using Cl2.Dicom;
using Cl2.Dicom.Imaging;
using Cl2.Dicom.Web;

namespace Cl2.Labeling.Archive;

/// <summary>How WADO-RS sends a frame: the stored bytes, or decoded to native little endian pixels; and each part's Content-Type.</summary>
public sealed record FrameEncoding(bool Decode, string PartContentType);

/// <summary>
/// Which transfer syntax WADO-RS answers in, from the Accept header and how an instance is stored (PS3.18 §8.7.3):
/// no transfer-syntax parameter means Explicit VR Little Endian (the default since DICOM 2016c), "*" means as stored.
/// Uncompressed syntaxes convert into each other, and a compressed instance whose codec Cl2.Dicom has is decoded;
/// nothing is compressed on the way out, so a compressed syntax is only ever the stored one.
/// </summary>
public static class TransferSyntaxNegotiation
{
    public const string AsStored = "*";

    /// <summary>
    /// What an instance can be rewritten in without a codec: the PS3.18 default, Implicit VR Little Endian and Deflated.
    /// Explicit VR Big Endian is retired (PS3.5 §A.3 history) and not offered, though a big endian instance is read and converted.
    /// </summary>
    public static IReadOnlyList<DicomTransferSyntax> Writable { get; } =
        [DicomTransferSyntax.ExplicitVRLittleEndian, DicomTransferSyntax.ImplicitVRLittleEndian, DicomTransferSyntax.DeflatedExplicitVRLittleEndian];

    /// <summary>The single-frame media types of PS3.18 Table 8.7.3-5 by transfer syntax (encapsulated syntaxes only).</summary>
    private static readonly Dictionary<string, string> FrameMediaTypes = new(StringComparer.Ordinal)
    {
        [DicomUids.JPEGBaseline8Bit.Value] = "image/jpeg",
        [DicomUids.JPEGExtended12Bit.Value] = "image/jpeg",
        [DicomUids.JPEGLossless.Value] = "image/jpeg",
        [DicomUids.JPEGLosslessSV1.Value] = "image/jpeg",
        [DicomUids.JPEGLSLossless.Value] = "image/jls",
        [DicomUids.JPEGLSNearLossless.Value] = "image/jls",
        [DicomUids.JPEG2000Lossless.Value] = "image/jp2",
        [DicomUids.JPEG2000.Value] = "image/jp2",
        [DicomUids.JPEG2000MCLossless.Value] = "image/jpx",
        [DicomUids.JPEG2000MC.Value] = "image/jpx",
        [DicomUids.RLELossless.Value] = "image/dicom-rle",
    };

    /// <summary>True when the instance's pixel data (if any) can come out native: it is native, or a codec decodes it.</summary>
    public static bool CanDecode(string storedUid) =>
        !DicomTransferSyntax.Lookup(storedUid).IsEncapsulated || PixelDataCodecs.Default.TryGet(storedUid, out _);

    /// <summary>
    /// The syntax to send instances stored as <paramref name="storedUids"/> in (<see cref="AsStored"/>: each as stored), or
    /// why none that the caller accepts can be sent.
    /// </summary>
    public static (string? TargetUid, string? Refusal) ForInstances(IReadOnlyList<MediaRange> accepted, IReadOnlyCollection<string> storedUids)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        ArgumentNullException.ThrowIfNull(storedUids);
        foreach (var range in accepted)
        {
            if (!range.IsAny && !(range.IsMultipartRelated && range.PartType is null or DicomMediaTypes.Dicom))
            {
                continue;
            }
            var asked = range.TransferSyntax ?? DicomTransferSyntax.ExplicitVRLittleEndian.Uid;
            if (asked == AsStored || storedUids.All(uid => uid == asked) || (Writable.Any(w => w.Uid == asked) && storedUids.All(CanDecode)))
            {
                return (asked, null);
            }
            if (range.IsAny && range.TransferSyntax is null)
            {
                return (AsStored, null); // "*/*" takes anything: what no codec here decodes goes as stored rather than not at all
            }
        }
        var stored = storedUids.Distinct(StringComparer.Ordinal).ToArray();
        var available = stored.All(CanDecode) ? Writable.Select(w => w.Uid).Concat(stored.Length == 1 ? stored : []).Distinct(StringComparer.Ordinal) : stored.Length == 1 ? stored : [];
        return (null,
            $"the archive cannot send what Accept asks for ({string.Join(", ", accepted)}): the instance(s) are stored as {string.Join(", ", stored.Select(Describe))}, "
            + $"and are available as multipart/related; type=\"application/dicom\" with transfer-syntax={string.Join(" or ", available.Append(AsStored))} "
            + "(* sends each as stored; no transfer-syntax means Explicit VR Little Endian). Nothing is compressed on the way out.");
    }

    /// <summary>How to send frames of an instance stored as <paramref name="storedUid"/>, or why none the caller accepts can be sent.</summary>
    public static (FrameEncoding? Encoding, string? Refusal) ForFrames(IReadOnlyList<MediaRange> accepted, string storedUid)
    {
        ArgumentNullException.ThrowIfNull(accepted);
        var syntax = DicomTransferSyntax.Lookup(storedUid);
        var native = new FrameEncoding(syntax.IsEncapsulated, $"{DicomMediaTypes.OctetStream}; transfer-syntax={DicomTransferSyntax.ExplicitVRLittleEndian.Uid}");
        var stored = syntax.IsEncapsulated
            ? new FrameEncoding(false, $"{FrameMediaTypes.GetValueOrDefault(storedUid, DicomMediaTypes.OctetStream)}; transfer-syntax={storedUid}")
            : native;
        var decodable = CanDecode(storedUid);
        foreach (var range in accepted)
        {
            var partType = range.IsAny ? "*/*" : range.IsMultipartRelated ? range.PartType ?? DicomMediaTypes.OctetStream : null;
            var asked = range.TransferSyntax;
            if (partType == "*/*" && asked is not null)
            {
                partType = DicomMediaTypes.OctetStream; // a transfer syntax with any type: the default type's rules
            }
            switch (partType)
            {
                case null:
                    continue;
                case "*/*" when asked is null:
                    return (decodable ? native : stored, null);
                case "*/*" or DicomMediaTypes.OctetStream when asked == AsStored || asked == storedUid:
                    return (stored, null);
                case DicomMediaTypes.OctetStream when decodable && (asked is null || asked == DicomTransferSyntax.ExplicitVRLittleEndian.Uid
                    || asked == DicomTransferSyntax.ImplicitVRLittleEndian.Uid):
                    return (native, null);
                default:
                    // A compressed media type names the stored syntax's family; without transfer-syntax, the stored member of it is sent.
                    if (syntax.IsEncapsulated && FrameMediaTypes.GetValueOrDefault(storedUid) == partType && (asked is null || asked == AsStored || asked == storedUid))
                    {
                        return (stored, null);
                    }
                    continue;
            }
        }
        var offers = new List<string>();
        if (decodable)
        {
            offers.Add($"type=\"{DicomMediaTypes.OctetStream}\" (native little endian pixels, transfer-syntax={DicomTransferSyntax.ExplicitVRLittleEndian.Uid} or none)");
        }
        if (syntax.IsEncapsulated)
        {
            offers.Add($"type=\"{FrameMediaTypes.GetValueOrDefault(storedUid, DicomMediaTypes.OctetStream)}\"; transfer-syntax={storedUid} (as stored; or transfer-syntax=*)");
        }
        return (null, $"the archive cannot send frames as Accept asks ({string.Join(", ", accepted)}): the instance is stored as {Describe(storedUid)}"
            + (decodable ? "" : ", which no codec here decodes") + $"; ask for multipart/related with {string.Join(", or ", offers)}");
    }

    private static string Describe(string uid) => $"{DicomUids.Find(uid)?.Name ?? "a private transfer syntax"} ({uid})";
}
