using System.Buffers;
using System.Net.Http.Headers;
using System.Text;

namespace Cl2.Dicom.Web;

/// <summary>One body part of a multipart message: its headers and a stream over its content (valid until the next part is read).</summary>
public sealed record MultipartPart(IReadOnlyDictionary<string, string> Headers, Stream Body)
{
    public string ContentType => Headers.TryGetValue("Content-Type", out var value) ? value : "text/plain";

    public string? ContentLocation => Headers.GetValueOrDefault("Content-Location");

    public async Task<byte[]> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        using var copy = new MemoryStream();
        await Body.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
        return copy.ToArray();
    }
}

/// <summary>
/// Streams the body parts of a multipart/related message (RFC 2387, framing of RFC 2046 §5.1.1): preamble and epilogue
/// are ignored, transport padding after a delimiter is allowed, and a part's content is handed out as it arrives, so a
/// 1 GB instance never has to fit in memory. A message that ends before its close delimiter is an error, not a short part.
/// </summary>
public sealed class MultipartRelatedReader : IDisposable
{
    /// <summary>RFC 2046 allows boundaries of 1–70 characters.</summary>
    public const int MaxBoundaryLength = 70;

    private readonly Stream _stream;
    private readonly byte[] _delimiter;
    private readonly int _maxHeaderBytes;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _endOfStream;
    private bool _finished;
    private PartBody? _current;

    public MultipartRelatedReader(Stream stream, string boundary, int bufferSize = 64 * 1024, int maxHeaderBytes = 16 * 1024)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrEmpty(boundary);
        if (boundary.Length > MaxBoundaryLength)
        {
            throw new ArgumentException($"a multipart boundary has at most {MaxBoundaryLength} characters (RFC 2046); this one has {boundary.Length}", nameof(boundary));
        }
        this._stream = stream;
        this._maxHeaderBytes = maxHeaderBytes;
        _delimiter = Encoding.ASCII.GetBytes("\r\n--" + boundary);
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(bufferSize, 4 * _delimiter.Length));
        // The first delimiter may start the message without a CRLF before it: pretend there was one.
        _buffer[0] = (byte)'\r';
        _buffer[1] = (byte)'\n';
        _end = 2;
    }

    /// <summary>
    /// A reader for a body with the given Content-Type header; it must be multipart/related (or another multipart type) with a
    /// boundary. The <c>type</c> parameter (the root part's media type, RFC 2387) is in <see cref="MultipartContentType.Type"/>.
    /// </summary>
    public static MultipartRelatedReader Create(Stream stream, string contentType) =>
        new(stream, MultipartContentType.Parse(contentType).Boundary);

    /// <summary>The next part, or null after the close delimiter. The previous part's unread content is skipped.</summary>
    public async Task<MultipartPart?> ReadNextPartAsync(CancellationToken cancellationToken = default)
    {
        if (_finished)
        {
            return null;
        }
        if (_current is not null)
        {
            await _current.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await SkipPreambleAsync(cancellationToken).ConfigureAwait(false);
        }
        // At a delimiter: consume it, then either "--" (close delimiter) or transport padding and CRLF.
        _start += _delimiter.Length;
        await EnsureAsync(2, cancellationToken).ConfigureAwait(false);
        if (_end - _start >= 2 && _buffer[_start] == '-' && _buffer[_start + 1] == '-')
        {
            _finished = true;
            _current = null;
            return null;
        }
        var headers = await ReadHeadersAsync(cancellationToken).ConfigureAwait(false);
        _current = new PartBody(this);
        return new MultipartPart(headers, _current);
    }

    private async Task SkipPreambleAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var found = _buffer.AsSpan(_start, _end - _start).IndexOf(_delimiter);
            if (found >= 0)
            {
                _start += found;
                return;
            }
            _start = Math.Max(_start, _end - _delimiter.Length + 1);
            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidDataException("the multipart body has no boundary delimiter: check that the Content-Type boundary matches the body");
            }
        }
    }

    private async Task<Dictionary<string, string>> ReadHeadersAsync(CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var consumed = 0;
        var first = true;
        while (true)
        {
            int lineEnd;
            while ((lineEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
            {
                if (_end - _start > _maxHeaderBytes || !await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw new InvalidDataException(_end - _start > _maxHeaderBytes
                        ? $"a multipart part's headers exceed {_maxHeaderBytes} bytes"
                        : "the multipart body ended inside a part's headers");
                }
            }
            var line = Encoding.Latin1.GetString(_buffer, _start, lineEnd);
            _start += lineEnd + 2;
            consumed += lineEnd + 2;
            if (consumed > _maxHeaderBytes)
            {
                throw new InvalidDataException($"a multipart part's headers exceed {_maxHeaderBytes} bytes");
            }
            if (first)
            {
                // The rest of the delimiter line is transport padding (RFC 2046: linear white space only).
                first = false;
                if (line.Trim(' ', '\t').Length > 0)
                {
                    throw new InvalidDataException($"unexpected text after a multipart boundary delimiter: '{line}'");
                }
                continue;
            }
            if (line.Length == 0)
            {
                return headers;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new InvalidDataException($"a multipart part header is not 'Name: value': '{line}'");
            }
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
    }

    /// <summary>Makes at least <paramref name="count"/> unread bytes available unless the stream ends first.</summary>
    private async Task EnsureAsync(int count, CancellationToken cancellationToken)
    {
        while (_end - _start < count && await FillAsync(cancellationToken).ConfigureAwait(false))
        {
        }
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_endOfStream)
        {
            return false;
        }
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            _endOfStream = true;
            return false;
        }
        _end += read;
        return true;
    }

    /// <summary>Bytes of the current part that are certainly content: up to the delimiter, or all but a possible delimiter prefix.</summary>
    private async ValueTask<int> ReadContentAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (true)
        {
            var unread = _buffer.AsSpan(_start, _end - _start);
            var found = unread.IndexOf(_delimiter);
            var available = found >= 0 ? found : unread.Length - (_delimiter.Length - 1);
            if (found == 0)
            {
                return 0;
            }
            if (available > 0)
            {
                var count = Math.Min(available, destination.Length);
                _buffer.AsMemory(_start, count).CopyTo(destination);
                _start += count;
                return count;
            }
            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidDataException("the multipart body ended inside a part, before its close delimiter: the upload was cut short");
            }
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private sealed class PartBody(MultipartRelatedReader reader) : Stream
    {
        private bool _done;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_done || buffer.Length == 0)
            {
                return 0;
            }
            if (!ReferenceEquals(reader._current, this))
            {
                throw new InvalidOperationException("this multipart part was left behind: read a part's body before asking for the next part");
            }
            var read = await reader.ReadContentAsync(buffer, cancellationToken).ConfigureAwait(false);
            _done = read == 0;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>A multipart Content-Type header: the media type, its boundary and the <c>type</c> parameter of multipart/related.</summary>
public sealed record MultipartContentType(string MediaType, string Boundary, string? Type, IReadOnlyDictionary<string, string> Parameters)
{
    public static MultipartContentType Parse(string contentType)
    {
        ArgumentNullException.ThrowIfNull(contentType);
        if (!MediaTypeHeaderValue.TryParse(contentType, out var parsed) || parsed.MediaType is null
            || !parsed.MediaType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"expected a multipart Content-Type (multipart/related; type=\"application/dicom\"; boundary=…), got '{contentType}'");
        }
        var parameters = parsed.Parameters
            .Where(parameter => parameter.Value is not null)
            .GroupBy(parameter => parameter.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(group => group.Key, group => Unquote(group.First().Value!), StringComparer.OrdinalIgnoreCase);
        if (!parameters.TryGetValue("boundary", out var boundary) || boundary.Length is 0 or > MultipartRelatedReader.MaxBoundaryLength)
        {
            throw new InvalidDataException($"the multipart Content-Type has no valid boundary parameter (1–70 characters): '{contentType}'");
        }
        return new MultipartContentType(parsed.MediaType, boundary, parameters.GetValueOrDefault("type"), parameters);
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal) : value;
}
