using System.Net;
using System.Net.Http.Headers;

namespace Cl2.Dicom.Web;

/// <summary>A part to send: its media type and a way to open its content when the request is written.</summary>
public sealed record MultipartRelatedPart(string ContentType, Func<Stream> Open, long? Length)
{
    public static MultipartRelatedPart FromFile(string path, string contentType = DicomMediaTypes.Dicom) =>
        new(contentType, () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan),
            new FileInfo(path).Length);

    public static MultipartRelatedPart FromBytes(byte[] content, string contentType = DicomMediaTypes.Dicom) =>
        new(contentType, () => new MemoryStream(content, writable: false), content.Length);
}

/// <summary>
/// A multipart/related request body streamed from its parts' sources. Its length is computed when every part's length is
/// known, so servers that refuse chunked uploads (Orthanc's HTTP server among them) accept it.
/// </summary>
public sealed class MultipartRelatedContent : HttpContent
{
    private readonly IReadOnlyList<MultipartRelatedPart> _parts;
    private readonly string _boundary;

    public MultipartRelatedContent(IEnumerable<MultipartRelatedPart> parts, string type = DicomMediaTypes.Dicom, string? boundary = null)
    {
        ArgumentNullException.ThrowIfNull(parts);
        this._parts = parts.ToArray();
        this._boundary = boundary ?? MultipartRelatedWriter.NewBoundary();
        Headers.ContentType = MediaTypeHeaderValue.Parse(MultipartRelatedWriter.ContentType(this._boundary, type));
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var writer = new MultipartRelatedWriter(stream, _boundary);
        foreach (var part in _parts)
        {
            var content = part.Open();
            await using (content.ConfigureAwait(false))
            {
                await writer.WritePartAsync(part.ContentType, content, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        for (var i = 0; i < _parts.Count; i++)
        {
            if (_parts[i].Length is not { } partLength)
            {
                return false;
            }
            length += MultipartRelatedWriter.PartHeader(_boundary, _parts[i].ContentType, null, i == 0).Length + partLength;
        }
        length += MultipartRelatedWriter.CloseDelimiter(_boundary, _parts.Count == 0).Length;
        return true;
    }
}
