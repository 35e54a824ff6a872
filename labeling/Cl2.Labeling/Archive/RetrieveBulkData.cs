using System.Globalization;
using Cl2.Dicom;
using Cl2.Dicom.Imaging;
using Cl2.Dicom.Web;
using Cl2.Labeling.Blobs;

namespace Cl2.Labeling.Archive;

/// <summary>
/// Bulk data (PS3.18 §8.6.3, §10.4.1.1.5): the values WADO-RS metadata gives as BulkDataURI instead of inline, served at
/// <c>…/instances/{instance}/bulk/{tag path}</c>, where the tag path is "ggggeeee" or, inside a sequence,
/// "ggggeeee/{0-based item}/ggggeeee". A value comes as one multipart/related application/octet-stream part, or bare
/// (with Range) when Accept asks for application/octet-stream; encapsulated Pixel Data comes as its frames, negotiated as
/// frames are.
/// </summary>
public static class RetrieveBulkData
{
    public const string Segment = "bulk";

    /// <summary>
    /// Which elements of an instance's metadata are given by URI: Pixel Data always (native or encapsulated: it is what
    /// frames are for), and values of the binary VRs (OB, OD, OF, OL, OV, OW, UN) longer than <paramref name="maxInlineBytes"/>.
    /// </summary>
    public static DicomBulkDataLocator Locator(string instanceUrl, int maxInlineBytes) => (path, element) => element switch
    {
        DicomFragmentSequence => $"{instanceUrl}/{Segment}/{path}",
        DicomValueElement value when element.Tag == DicomTags.PixelData && path.Length == 8 && value.Length > 0 => $"{instanceUrl}/{Segment}/{path}",
        DicomValueElement value when IsBulk(value.VR) && value.Length > maxInlineBytes => $"{instanceUrl}/{Segment}/{path}",
        _ => null,
    };

    public static bool IsBulk(DicomVR vr) =>
        vr == DicomVR.OB || vr == DicomVR.OD || vr == DicomVR.OF || vr == DicomVR.OL || vr == DicomVR.OV || vr == DicomVR.OW || vr == DicomVR.UN;

    public static async Task RetrieveAsync(HttpContext context, string study, string series, string instance, string path, ArchiveIndex index,
        IBlobStore blobs, CancellationToken cancellationToken)
    {
        var row = (await index.FindAsync(study, series, instance, cancellationToken)).SingleOrDefault();
        if (row is null)
        {
            await RetrieveInstances.NotFound(context, study, series, instance).ExecuteAsync(context);
            return;
        }
        var file = await RetrieveInstances.OpenAsync(blobs, row, cancellationToken);
        var (element, problem) = Resolve(file.Dataset, path);
        if (element is null)
        {
            await Results.Problem($"{problem} in instance {instance}; the BulkDataURIs of its metadata name the values there are",
                statusCode: StatusCodes.Status404NotFound).ExecuteAsync(context);
            return;
        }
        if (element is DicomFragmentSequence)
        {
            var pixelData = DicomPixelData.From(file);
            await RetrieveInstances.WriteFramesAsync(context, row, RetrieveInstances.Parsed(pixelData), Enumerable.Range(1, pixelData.NumberOfFrames).ToArray(), cancellationToken);
            return;
        }
        var bytes = ((DicomValueElement)element).Buffer.GetBytes();
        var accepted = MediaRange.FromRequest(context.Request);
        foreach (var range in accepted)
        {
            if (range.MediaType == DicomMediaTypes.OctetStream)
            {
                await Results.Bytes(bytes, DicomMediaTypes.OctetStream, enableRangeProcessing: true).ExecuteAsync(context);
                return;
            }
            var littleEndian = range.TransferSyntax is null or TransferSyntaxNegotiation.AsStored
                || range.TransferSyntax == DicomTransferSyntax.ExplicitVRLittleEndian.Uid;
            if (range.IsAny || (range.IsMultipartRelated && range.PartType is null or DicomMediaTypes.OctetStream or "*/*" && littleEndian))
            {
                var boundary = MultipartRelatedWriter.NewBoundary();
                context.Response.ContentType = MultipartRelatedWriter.ContentType(boundary, DicomMediaTypes.OctetStream);
                var writer = new MultipartRelatedWriter(context.Response.Body, boundary);
                await writer.WritePartAsync($"{DicomMediaTypes.OctetStream}; transfer-syntax={DicomTransferSyntax.ExplicitVRLittleEndian.Uid}", bytes,
                    cancellationToken: cancellationToken);
                await writer.CompleteAsync(cancellationToken);
                return;
            }
        }
        await RetrieveInstances.NotAcceptable($"bulk data is sent as multipart/related; type=\"{DicomMediaTypes.OctetStream}\" (little endian) or as bare "
            + $"{DicomMediaTypes.OctetStream} (which takes Range); Accept asks for {string.Join(", ", accepted)}").ExecuteAsync(context);
    }

    /// <summary>The element a tag path names, or why there is none.</summary>
    public static (DicomElement? Element, string? Problem) Resolve(DicomDataset dataset, string path)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(path);
        var segments = path.Split('/');
        var current = dataset;
        for (var i = 0; ; i += 2)
        {
            if (segments[i].Length != 8 || !uint.TryParse(segments[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            {
                return (null, $"'{path}' is not a tag path (ggggeeee, with /item/ggggeeee for each sequence level)");
            }
            var element = current.Find(DicomTag.FromValue(value));
            if (element is null)
            {
                return (null, $"there is no element {DicomTag.FromValue(value)} at '{path}'");
            }
            if (i == segments.Length - 1)
            {
                return element is DicomSequence ? (null, $"'{path}' names a sequence, not a value") : (element, null);
            }
            if (element is not DicomSequence sequence || i + 2 >= segments.Length
                || !int.TryParse(segments[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var item) || item >= sequence.Items.Count)
            {
                return (null, $"'{path}' names no item of a sequence at {DicomTag.FromValue(value)}");
            }
            current = sequence.Items[item];
        }
    }
}
