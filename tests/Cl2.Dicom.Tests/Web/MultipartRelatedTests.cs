using System.Text;
using Cl2.Dicom.Web;

namespace Cl2.Dicom.Tests.Web;

public sealed class MultipartRelatedTests
{
    [Fact]
    public async Task parts_written_by_the_writer_are_read_back_byte_identical_even_one_byte_at_a_time()
    {
        var random = new Random(7);
        var bodies = new[] { 0, 1, 3, 70, 4096, 200_000 }.Select(size => { var b = new byte[size]; random.NextBytes(b); return b; }).ToList();
        // Content that looks almost like a delimiter must stay content.
        bodies.Add(Encoding.ASCII.GetBytes("\r\n--cl2-almost\r\n--\r\n-"));
        var boundary = MultipartRelatedWriter.NewBoundary();
        using var message = new MemoryStream();
        var writer = new MultipartRelatedWriter(message, boundary);
        foreach (var body in bodies)
        {
            await writer.WritePartAsync(DicomMediaTypes.Dicom, body, new Dictionary<string, string> { ["Content-Location"] = $"part/{body.Length}" });
        }
        await writer.CompleteAsync();

        foreach (var chunk in new[] { 1, 7, 1 << 20 })
        {
            using var reader = MultipartRelatedReader.Create(new TrickleStream(message.ToArray(), chunk),
                MultipartRelatedWriter.ContentType(boundary, DicomMediaTypes.Dicom));
            var read = new List<byte[]>();
            while (await reader.ReadNextPartAsync() is { } part)
            {
                Assert.Equal(DicomMediaTypes.Dicom, part.ContentType);
                Assert.Equal($"part/{bodies[read.Count].Length}", part.ContentLocation);
                read.Add(await part.ReadAllAsync());
            }
            Assert.Equal(bodies.Count, read.Count);
            for (var i = 0; i < bodies.Count; i++)
            {
                Assert.Equal(bodies[i], read[i]);
            }
        }
    }

    [Fact]
    public async Task preamble_epilogue_transport_padding_and_a_quoted_boundary_are_handled_as_rfc_2046_says()
    {
        var text = "This is the preamble.\r\n--b:1 2\t \r\nContent-Type: text/plain\r\n\r\nfirst\r\n--b:1 2\r\n\r\nsecond, no headers\r\n--b:1 2--  \r\nepilogue --b:1 2\r\n";
        using var reader = MultipartRelatedReader.Create(new MemoryStream(Encoding.ASCII.GetBytes(text)),
            "multipart/related; type=\"text/plain\"; boundary=\"b:1 2\"");
        var first = await reader.ReadNextPartAsync();
        Assert.Equal("first", Encoding.ASCII.GetString(await first!.ReadAllAsync()));
        var second = await reader.ReadNextPartAsync();
        Assert.Empty(second!.Headers);
        Assert.Equal("second, no headers", Encoding.ASCII.GetString(await second.ReadAllAsync()));
        Assert.Null(await reader.ReadNextPartAsync());
        Assert.Equal("text/plain", MultipartContentType.Parse("multipart/related; type=\"text/plain\"; boundary=\"b:1 2\"").Type);
    }

    [Fact]
    public async Task unread_parts_are_skipped_and_a_message_cut_short_is_an_error_not_a_short_part()
    {
        var boundary = "xyz";
        var whole = "--xyz\r\nContent-Type: a/b\r\n\r\none\r\n--xyz\r\nContent-Type: a/b\r\n\r\ntwo\r\n--xyz--\r\n";
        using (var reader = new MultipartRelatedReader(new MemoryStream(Encoding.ASCII.GetBytes(whole)), boundary))
        {
            Assert.NotNull(await reader.ReadNextPartAsync());
            var second = await reader.ReadNextPartAsync();
            Assert.Equal("two", Encoding.ASCII.GetString(await second!.ReadAllAsync()));
        }
        var truncated = whole[..whole.IndexOf("two", StringComparison.Ordinal)] + "tw";
        using var cut = new MultipartRelatedReader(new MemoryStream(Encoding.ASCII.GetBytes(truncated)), boundary);
        await cut.ReadNextPartAsync();
        var part = await cut.ReadNextPartAsync();
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => part!.ReadAllAsync());
        Assert.Contains("cut short", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => MultipartContentType.Parse("application/dicom"));
        Assert.Throws<InvalidDataException>(() => MultipartContentType.Parse("multipart/related; type=\"application/dicom\""));
    }

    [Fact]
    public async Task the_content_length_computed_for_an_upload_is_the_length_written()
    {
        var parts = new[] { new byte[] { 1, 2, 3 }, new byte[1000] }.Select(bytes => MultipartRelatedPart.FromBytes(bytes)).ToArray();
        using var content = new MultipartRelatedContent(parts);
        var bytes = await content.ReadAsByteArrayAsync();
        Assert.Equal(bytes.Length, content.Headers.ContentLength);
        Assert.Equal("application/dicom", MultipartContentType.Parse(content.Headers.ContentType!.ToString()).Type);
    }

    /// <summary>Hands out at most <paramref name="chunk"/> bytes per read, as a slow network does.</summary>
    private sealed class TrickleStream(byte[] bytes, int chunk) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
