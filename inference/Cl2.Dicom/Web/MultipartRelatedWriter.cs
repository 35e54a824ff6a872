using System.Text;

namespace Cl2.Dicom.Web;

/// <summary>
/// Writes a multipart/related message (RFC 2387, framing of RFC 2046 §5.1.1) part by part to a stream, copying each
/// part's content from its source as it goes. Call <see cref="CompleteAsync"/> once, after the last part.
/// </summary>
public sealed class MultipartRelatedWriter(Stream output, string boundary)
{
    private int _parts;

    public string Boundary { get; } = boundary;

    /// <summary>A boundary that cannot occur in DICOM or image content by chance.</summary>
    public static string NewBoundary() => "cl2-" + Guid.NewGuid().ToString("N");

    /// <summary>multipart/related with the root type (RFC 2387 requires it) and the boundary, as a Content-Type value.</summary>
    public static string ContentType(string boundary, string type) => $"multipart/related; type=\"{type}\"; boundary={boundary}";

    public async Task WritePartAsync(string contentType, Stream content, IReadOnlyDictionary<string, string>? headers = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        await output.WriteAsync(PartHeader(Boundary, contentType, headers, _parts++ == 0), cancellationToken).ConfigureAwait(false);
        await content.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
    }

    public async Task WritePartAsync(string contentType, ReadOnlyMemory<byte> content, IReadOnlyDictionary<string, string>? headers = null,
        CancellationToken cancellationToken = default)
    {
        await output.WriteAsync(PartHeader(Boundary, contentType, headers, _parts++ == 0), cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(content, cancellationToken).ConfigureAwait(false);
    }

    public async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        await output.WriteAsync(CloseDelimiter(Boundary, _parts == 0), cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The bytes before and after the content of a message of exactly one part, the same a writer would send: for a sender
    /// that knows the whole length before it starts (Content-Length instead of chunks) and sends it in one write.
    /// </summary>
    public static (byte[] Before, byte[] After) OnePart(string boundary, string contentType) =>
        (PartHeader(boundary, contentType, null, first: true), CloseDelimiter(boundary, noParts: false));

    /// <summary>The delimiter line and headers before a part's content (the CRLF before a delimiter belongs to the delimiter).</summary>
    internal static byte[] PartHeader(string boundary, string contentType, IReadOnlyDictionary<string, string>? headers, bool first)
    {
        var text = new StringBuilder();
        text.Append(first ? "--" : "\r\n--").Append(boundary).Append("\r\n");
        text.Append("Content-Type: ").Append(contentType).Append("\r\n");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            if (value.Contains('\r', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal))
            {
                throw new ArgumentException($"the multipart header {name} contains a line break", nameof(headers));
            }
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        text.Append("\r\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    internal static byte[] CloseDelimiter(string boundary, bool noParts) =>
        Encoding.ASCII.GetBytes((noParts ? "--" : "\r\n--") + boundary + "--\r\n");
}
