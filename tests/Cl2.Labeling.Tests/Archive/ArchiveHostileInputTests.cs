using System.Net;
using System.Text.Json;
using Cl2.Dicom;
using Cl2.Dicom.Web;
using Cl2.Labeling.Tests.Blobs;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Cl2.Labeling.Tests.Archive;

/// <summary>
/// Requests an attacker or a careless client sends the archive (issue 14's probes, scaled down): each is refused early with
/// a 4xx that says why, or handled within a stated budget, and leaves nothing behind.
/// </summary>
public sealed class ArchiveHostileInputTests
{
    /// <summary>CT_small.dcm with its SOP Instance UID replaced, as Part 10 bytes.</summary>
    internal static byte[] CtWithSopInstanceUid(string uid)
    {
        var file = DicomFile.Open(ArchiveTranscodingTests.Corpus("CT_small.dcm"));
        file.Dataset.SetString(DicomTags.SOPInstanceUID, DicomVR.UI, uid);
        file.FileMetaInformation.SetString(DicomTags.MediaStorageSOPInstanceUID, DicomVR.UI, uid);
        using var bytes = new MemoryStream();
        file.Save(bytes);
        return bytes.ToArray();
    }

    private static async Task<string> DetailOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;

    [Fact]
    public async Task a_frame_list_that_names_a_frame_more_than_once_is_refused_with_400()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);
        using var http = host.CreateClient();
        await ArchiveTests.ClientFor(host).StoreFilesAsync([ArchiveTranscodingTests.Corpus("CT_small.dcm")]);
        // The probe asked for frame 1 of a 512×512 instance 3,900 times and got 2 GB; here frame 1 of CT_small 500 times.
        var url = ArchiveTranscodingTests.InstanceUrl("CT_small.dcm") + "/frames/" + string.Join(',', Enumerable.Repeat(1, 500));

        var answer = await WadoHttp.GetAsync(http, url, null);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains("frame 1 is named more than once", answer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_frame_list_longer_than_the_limit_is_refused_with_400_naming_the_option()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres, settings: new Dictionary<string, string> { ["Archive:MaxFramesPerRequest"] = "1" });
        using var http = host.CreateClient();
        await ArchiveTests.ClientFor(host).StoreFilesAsync([ArchiveTranscodingTests.Corpus("SC_rgb_rle_2frame.dcm")]);
        var instance = ArchiveTranscodingTests.InstanceUrl("SC_rgb_rle_2frame.dcm");

        var both = await WadoHttp.GetAsync(http, instance + "/frames/1,2", null);
        var second = await WadoHttp.GetAsync(http, instance + "/frames/2", null);

        Assert.Equal(HttpStatusCode.BadRequest, both.Status);
        Assert.Contains("Archive:MaxFramesPerRequest", both.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Single(second.Parts);
    }

    [Fact]
    public async Task frames_are_streamed_so_a_later_frame_that_fails_to_decode_cuts_the_answer_short()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);
        using var http = host.CreateClient();
        // Two RLE frames, the second a header that names segments beyond its end: only decoding it finds that out.
        var file = DicomFile.Open(ArchiveTranscodingTests.Corpus("SC_rgb_rle_2frame.dcm"));
        var pixelData = (DicomFragmentSequence)file.Dataset.GetElement(DicomTags.PixelData);
        var broken = new byte[64];
        BitConverter.TryWriteBytes(broken.AsSpan(0, 4), 3);
        BitConverter.TryWriteBytes(broken.AsSpan(4, 4), 1_000_000);
        file.Dataset.Add(new DicomFragmentSequence(DicomTags.PixelData, pixelData.VR, DicomBuffer.FromBytes(ReadOnlyMemory<byte>.Empty),
            [pixelData.Fragments[0], DicomBuffer.FromBytes(broken)]));
        using var bytes = new MemoryStream();
        file.Save(bytes);
        Assert.Empty((await ArchiveTests.ClientFor(host).StoreAsync([MultipartRelatedPart.FromBytes(bytes.ToArray())])).Failed);
        var instance = ArchiveTranscodingTests.InstanceUrl("SC_rgb_rle_2frame.dcm");

        var secondAlone = await WadoHttp.GetAsync(http, instance + "/frames/2", null);
        using var both = await http.GetAsync(new Uri(instance + "/frames/1,2", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);

        // Frame 2 alone is decoded before the answer starts: a clear 406.
        Assert.Equal(HttpStatusCode.NotAcceptable, secondAlone.Status);
        Assert.Contains("frame 2", secondAlone.Text, StringComparison.Ordinal);
        // Frame 1 was sent before frame 2 was decoded: the answer had started, and could only be cut short.
        Assert.Equal(HttpStatusCode.OK, both.StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(() => both.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task a_qido_value_with_a_nul_character_is_refused_with_400()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);
        using var http = host.CreateClient();

        using var response = await http.GetAsync(new Uri("/dicomweb/studies?PatientID=a%00b", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("NUL", await DetailOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_refused_request_is_logged_at_warning_with_the_path_and_the_reason()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var storage = new StorageHost(postgres);
        var logs = new RecordedLogs();
        await using var host = storage.WithWebHostBuilder(builder => builder.ConfigureLogging(logging => logging.AddProvider(logs)));
        using var http = host.CreateClient();

        using var refused = await http.GetAsync(new Uri("/dicomweb/studies?PatientID=a%00b", UriKind.Relative));
        using var missing = await http.GetAsync(new Uri("/dicomweb/studies/1.2.3/metadata", UriKind.Relative));

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.NotFound), (refused.StatusCode, missing.StatusCode));
        var line = Assert.Single(logs.Lines, line => line.Message.StartsWith("DICOMweb request refused", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("(400)", line.Message, StringComparison.Ordinal);
        Assert.Contains("GET /dicomweb/studies", line.Message, StringComparison.Ordinal);
        Assert.Contains("NUL", line.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dicomweb/studies?StudyInstanceUID=1.2.3%27%3B%20DROP%20TABLE%20x")]
    [InlineData("/dicomweb/series?SeriesInstanceUID=1.2.3,1.02.3")]
    [InlineData("/dicomweb/studies/1.2.3%20x/series")]
    [InlineData("/dicomweb/studies/1.2.3/series/..%2F..%2Fetc%2Fpasswd/metadata")]
    [InlineData("/dicomweb/studies/1.2.3/series/1.2.3.4/instances/1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20.21.22.23.24.25.26.27/frames/1")]
    public async Task a_uid_that_breaks_ps3_5_rules_is_refused_with_400_wherever_it_is_given(string url)
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);
        using var http = host.CreateClient();

        using var response = await http.GetAsync(new Uri(url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("is not a DICOM UID", await DetailOf(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task stow_parts_with_invalid_sop_instance_uids_fail_alone_and_leave_no_blob()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);
        var client = ArchiveTests.ClientFor(host);
        string[] invalid = ["1.2.3\04", "../../../../etc/passwd", "1.2.3'; DROP TABLE x", "1.2.3 4", "1." + new string('9', 300), "1.2.03"];

        var stow = await client.StoreAsync([MultipartRelatedPart.FromFile(ArchiveTranscodingTests.Corpus("CT_small.dcm")),
            .. invalid.Select(uid => MultipartRelatedPart.FromBytes(CtWithSopInstanceUid(uid)))]);

        Assert.Equal(HttpStatusCode.Accepted, stow.Status);
        Assert.Single(stow.Stored);
        Assert.Equal(invalid.Length, stow.Failed.Count);
        Assert.All(stow.Failed, failure => Assert.Equal((ushort)0xC000, failure.FailureReason));
        Assert.Single(host.StoredFiles);
        Assert.Single(await client.SearchInstancesAsync());
    }

    [Fact]
    public async Task a_stow_part_with_a_nul_inside_an_indexed_text_attribute_fails_alone()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);
        var client = ArchiveTests.ClientFor(host);
        var file = DicomFile.Open(ArchiveTranscodingTests.Corpus("CT_small.dcm"));
        file.Dataset.SetString(DicomTags.PatientID, "a\0b");
        using var bytes = new MemoryStream();
        file.Save(bytes);

        var stow = await client.StoreAsync([MultipartRelatedPart.FromBytes(bytes.ToArray()), MultipartRelatedPart.FromFile(ArchiveTranscodingTests.Corpus("MR_small.dcm"))]);

        Assert.Equal(HttpStatusCode.Accepted, stow.Status);
        Assert.Equal((ushort)0xC000, Assert.Single(stow.Failed).FailureReason);
        Assert.Single(stow.Stored);
        Assert.Single(host.StoredFiles);
    }

    [Fact]
    public async Task a_stow_part_with_more_elements_than_the_archive_allows_fails_alone_with_cannot_understand()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres, settings: new Dictionary<string, string> { ["Archive:MaxDataSetElements"] = "1000" });
        var client = ArchiveTests.ClientFor(host);
        byte[] crowded = [.. File.ReadAllBytes(ArchiveTranscodingTests.Corpus("CT_small.dcm")), .. ManyElements.EmptyItems(1000)];

        var stow = await client.StoreAsync([MultipartRelatedPart.FromBytes(crowded), MultipartRelatedPart.FromFile(ArchiveTranscodingTests.Corpus("MR_small.dcm"))]);

        var failed = Assert.Single(stow.Failed);
        Assert.Equal((ushort)0xC000, failed.FailureReason);
        Assert.Single(stow.Stored);
        Assert.Single(host.StoredFiles);
    }

    [Fact]
    public async Task a_stow_with_many_failed_parts_answers_one_warning_header_and_each_reason_in_the_body()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);
        using var http = host.CreateClient();
        var parts = Enumerable.Range(0, 1500).Select(i => MultipartRelatedPart.FromBytes(System.Text.Encoding.ASCII.GetBytes($"not DICOM {i}")));

        using var response = await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative), new MultipartRelatedContent(parts));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var warning = Assert.Single(response.Headers.GetValues("Warning"));
        Assert.StartsWith("299 cl2: \"1500 of 1500 parts were not stored", warning, StringComparison.Ordinal);
        var body = DicomJsonReader.Parse(await response.Content.ReadAsStringAsync());
        var failed = body.GetSequence(DicomTags.FailedSOPSequence).Items;
        Assert.Equal(1500, failed.Count);
        Assert.All(failed, item =>
        {
            Assert.True(item.TryGetPrivateTag(0x0009, "cl2", 0x01, out var description));
            Assert.Contains("is not a DICOM Part 10 file", item.GetString(description), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task a_stow_of_zero_filled_parts_is_refused_without_spooling_them()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);
        using var http = host.CreateClient();
        long mostSpooled = 0;
        void Sample() => mostSpooled = Math.Max(mostSpooled,
            Directory.EnumerateFiles(host.SpoolRoot, "*", SearchOption.AllDirectories).Sum(path => new FileInfo(path).Length));
        // The probe sent 3 × 200 MB of zeros, all spooled before a byte was checked; here 3 × 8 MB, watched as they go.
        var parts = Enumerable.Range(0, 3).Select(_ => new MultipartRelatedPart(DicomMediaTypes.Dicom, () => new ZeroStream(8 << 20, Sample), null));

        using var response = await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative), new MultipartRelatedContent(parts));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var stow = StowResponse.FromDataset(response.StatusCode, DicomJsonReader.Parse(await response.Content.ReadAsStringAsync()));
        Assert.Equal(3, stow.Failed.Count);
        Assert.Contains("'DICM'", Assert.Single(response.Headers.GetValues("Warning")), StringComparison.Ordinal);
        Assert.True(mostSpooled < 64 * 1024, $"{mostSpooled} bytes were spooled");
        Assert.Empty(Directory.EnumerateFileSystemEntries(host.SpoolRoot));
        Assert.Empty(host.StoredFiles);
    }

    [Fact]
    public async Task a_stow_larger_than_the_request_limit_is_refused_with_413_and_stores_nothing()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres, settings: new Dictionary<string, string> { ["Archive:MaxStowBytes"] = "45000" });
        using var http = host.CreateClient();
        string[] files = ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm"];
        Assert.True(files.Sum(name => new FileInfo(ArchiveTranscodingTests.Corpus(name)).Length) > 45_000);

        using var declared = await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative),
            new MultipartRelatedContent(files.Select(name => MultipartRelatedPart.FromFile(ArchiveTranscodingTests.Corpus(name)))));
        using var chunked = await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative),
            new MultipartRelatedContent(files.Select(name => new MultipartRelatedPart(DicomMediaTypes.Dicom, () => File.OpenRead(ArchiveTranscodingTests.Corpus(name)), null))));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Contains("Archive:MaxStowBytes", await DetailOf(declared), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
        Assert.Empty(host.StoredFiles);
        Assert.Empty(await ArchiveTests.ClientFor(host).SearchInstancesAsync());
    }

    [Fact]
    public async Task links_start_at_the_configured_public_base_url()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres, settings: new Dictionary<string, string> { ["Archive:PublicBaseUrl"] = "https://cl2.example.org/pacs/" });
        var client = ArchiveTests.ClientFor(host);

        var stow = await client.StoreFilesAsync([ArchiveTranscodingTests.Corpus("CT_small.dcm")]);
        var study = Assert.Single(await client.SearchStudiesAsync());

        Assert.StartsWith("https://cl2.example.org/pacs/dicomweb/studies/", Assert.Single(stow.Stored).RetrieveUrl, StringComparison.Ordinal);
        Assert.Equal($"https://cl2.example.org/pacs/dicomweb/studies/{study.GetString(DicomTags.StudyInstanceUID)}", study.GetString(DicomTags.RetrieveURL));
    }

    [Fact]
    public async Task the_host_header_a_client_sends_is_not_reflected_in_links()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);
        using var http = host.CreateClient();
        await ArchiveTests.ClientFor(host).StoreFilesAsync([ArchiveTranscodingTests.Corpus("CT_small.dcm")]);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dicomweb/studies");
        request.Headers.Host = "evil.example";
        request.Headers.Add("X-Forwarded-Host", "evil.example");

        using var response = await http.SendAsync(request);

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("evil.example", body, StringComparison.Ordinal);
        // With no public base URL and no trusted proxy, the archive names itself by the address it is configured to listen on.
        Assert.Contains("\"http://127.0.0.1:8081/dicomweb/studies/", body, StringComparison.Ordinal);
    }

    /// <summary>A part of zeros (not DICOM), read by the sender in 64 KiB pieces, calling <paramref name="onRead"/> before each.</summary>
    private sealed class ZeroStream(long length, Action onRead) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            onRead();
            var n = (int)Math.Min(Math.Min(count, 64 * 1024), length - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
