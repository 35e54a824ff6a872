using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace Cl2.Labeling.Tests.Blobs;

public sealed class BlobStoreTests
{
    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static string DigestOf(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    [Fact]
    public async Task an_uploaded_blob_is_named_by_its_sha256_and_reads_back_whole_by_head_and_by_range()
    {
        await using var host = new StorageHost(null);
        using var client = host.CreateClient();
        var content = RandomBytes(300_000, 1);
        var digest = DigestOf(content);

        using var created = await client.PostAsync(new Uri("/blobs", UriKind.Relative), new ByteArrayContent(content));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var answer = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(digest, answer.GetProperty("digest").GetString());
        Assert.Equal(content.Length, answer.GetProperty("length").GetInt64());
        Assert.Equal($"/blobs/{digest}", created.Headers.Location!.OriginalString);

        Assert.Equal(content, await client.GetByteArrayAsync(new Uri($"/blobs/{digest}", UriKind.Relative)));

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(content.Length, head.Content.Headers.ContentLength);
        Assert.Equal("bytes", head.Headers.AcceptRanges.Single());
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        // Resuming a download that stopped at byte 100 000.
        using var resume = new HttpRequestMessage(HttpMethod.Get, $"/blobs/{digest}");
        resume.Headers.Range = new RangeHeaderValue(100_000, null);
        using var rest = await client.SendAsync(resume);
        Assert.Equal(HttpStatusCode.PartialContent, rest.StatusCode);
        Assert.Equal(content[100_000..], await rest.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes 100000-{content.Length - 1}/{content.Length}", rest.Content.Headers.ContentRange!.ToString());

        using var beyond = new HttpRequestMessage(HttpMethod.Get, $"/blobs/{digest}");
        beyond.Headers.Range = new RangeHeaderValue(content.Length + 10, null);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, (await client.SendAsync(beyond)).StatusCode);

        // The same bytes again, by digest or with an RFC 9530 Content-Digest: same name, no second copy.
        using var again = await client.PutAsync(new Uri($"/blobs/{digest}", UriKind.Relative), new ByteArrayContent(content));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var withHeader = new ByteArrayContent(content);
        withHeader.Headers.Add("Content-Digest", $"sha-256=:{Convert.ToBase64String(SHA256.HashData(content))}:");
        Assert.True((await client.PostAsync(new Uri("/blobs", UriKind.Relative), withHeader)).IsSuccessStatusCode);
        Assert.Single(host.StoredFiles);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri($"/blobs/{DigestOf([1, 2, 3])}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync(new Uri("/blobs/sha256:not-hex", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task posting_bytes_already_stored_without_a_digest_answers_200_not_201()
    {
        await using var host = new StorageHost(null);
        using var client = host.CreateClient();
        var content = RandomBytes(10_000, 5);

        using var first = await client.PostAsync(new Uri("/blobs", UriKind.Relative), new ByteArrayContent(content));
        using var again = await client.PostAsync(new Uri("/blobs", UriKind.Relative), new ByteArrayContent(content));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(DigestOf(content), (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("digest").GetString());
        Assert.Single(host.StoredFiles);
    }

    [Fact]
    public async Task an_upload_whose_bytes_do_not_match_the_named_digest_is_refused_and_leaves_nothing_behind()
    {
        await using var host = new StorageHost(null);
        using var client = host.CreateClient();
        var content = RandomBytes(50_000, 2);
        var claimed = DigestOf(RandomBytes(50_000, 3));

        using var refused = await client.PutAsync(new Uri($"/blobs/{claimed}", UriKind.Relative), new ByteArrayContent(content));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("nothing was stored", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(DigestOf(content), problem.GetProperty("actual").GetString());
        Assert.Empty(host.StoredFiles);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri($"/blobs/{DigestOf(content)}", UriKind.Relative))).StatusCode);

        var wrongHeader = new ByteArrayContent(content);
        wrongHeader.Headers.Add("Content-Digest", $"sha-256=:{Convert.ToBase64String(new byte[32])}:");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync(new Uri("/blobs", UriKind.Relative), wrongHeader)).StatusCode);
        Assert.Empty(host.StoredFiles);
    }

    [Fact]
    public async Task an_upload_over_the_size_limit_is_refused_with_or_without_a_content_length_and_nothing_partial_is_kept()
    {
        await using var host = new StorageHost(null, maxBlobBytes: 10_000);
        using var client = host.CreateClient();
        var content = RandomBytes(25_000, 4);

        using var declared = await client.PostAsync(new Uri("/blobs", UriKind.Relative), new ByteArrayContent(content));
        // Without Content-Length the store finds out while streaming, after it wrote the first 10 000 bytes to a temp file.
        using var streamed = await client.PostAsync(new Uri("/blobs", UriKind.Relative), new StreamContent(new UnknownLengthStream(content)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
        Assert.Contains("Blobs:MaxBlobBytes", await streamed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(host.StoredFiles);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync(new Uri("/blobs", UriKind.Relative), new ByteArrayContent(content[..10_000]))).StatusCode);
    }

    /// <summary>A body whose length the client cannot know in advance (sent chunked).</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
