using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Cl2.Dicom;
using Cl2.Dicom.Web;
using Cl2.Labeling.Tests.Blobs;

namespace Cl2.Labeling.Tests.Archive;

/// <summary>
/// WADO-RS metadata gives Pixel Data and binary values over 1 KiB as BulkDataURI (PS3.18 §F.2.6), and every URI resolves
/// to exactly the bytes of the value, as pydicom reads them from the file that was stored.
/// </summary>
public sealed class ArchiveBulkDataTests
{
    /// <summary>
    /// pydicom's view of the values that must be bulk data: path, then the SHA-256 of each value (of each frame, for
    /// encapsulated Pixel Data, whose path gets "#frames").
    /// </summary>
    private const string Oracle = """
        import sys, hashlib, pydicom
        from pydicom.encaps import generate_pixel_data_frame
        ds = pydicom.dcmread(sys.argv[1])
        binary = ('OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN', 'OB or OW', 'US or OW')
        def walk(ds, path):
            for el in ds:
                key = path + f"{int(el.tag):08X}"
                if el.VR == 'SQ':
                    for i, item in enumerate(el.value): walk(item, f"{key}/{i}/")
                elif int(el.tag) == 0x7FE00010 and path == '' and ds.file_meta.TransferSyntaxUID.is_compressed:
                    frames = int(ds.get('NumberOfFrames', 1) or 1)
                    print(key + '#frames', *[hashlib.sha256(f).hexdigest() for f in generate_pixel_data_frame(el.value, frames)])
                elif el.VR in binary and el.value is not None and (len(el.value) > 1024 or (int(el.tag) == 0x7FE00010 and path == '')):
                    print(key, hashlib.sha256(el.value).hexdigest())
        walk(ds, '')
        """;

    private static readonly string[] Files = ["CT_small.dcm", "waveform_ecg.dcm", "J2K_pixelrep_mismatch.dcm", "SC_rgb_rle_2frame.dcm"];

    [Fact]
    public async Task metadata_gives_large_binary_values_as_bulk_data_uris_that_resolve_to_exactly_the_bytes_of_the_value()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);
        using var http = host.CreateClient();
        var stow = await ArchiveTests.ClientFor(host).StoreFilesAsync(Files.Select(ArchiveTranscodingTests.Corpus));
        Assert.Empty(stow.Failed);
        var script = Path.GetTempFileName();
        await File.WriteAllTextAsync(script, Oracle);
        try
        {
            foreach (var name in Files)
            {
                var oracle = await ProcessRunner.RunAsync("/usr/bin/python3", [script, ArchiveTranscodingTests.Corpus(name)]);
                oracle.EnsureSuccess($"pydicom on {name}");
                var expected = oracle.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' '))
                    .ToDictionary(fields => fields[0], fields => fields[1..]);
                Assert.NotEmpty(expected);

                var instanceUrl = ArchiveTranscodingTests.InstanceUrl(name);
                var metadata = await http.GetStringAsync(new Uri(instanceUrl + "/metadata", UriKind.Relative));
                var uris = new Dictionary<string, string>();
                Walk(JsonDocument.Parse(metadata).RootElement[0], "", uris);
                Assert.Equal(expected.Keys.Select(k => k.Replace("#frames", "", StringComparison.Ordinal)).Order(), uris.Keys.Order());

                foreach (var (path, uri) in uris)
                {
                    Assert.Equal($"{instanceUrl}/bulk/{path}", new Uri(uri).AbsolutePath);
                    if (expected.TryGetValue(path + "#frames", out var frames))
                    {
                        // Encapsulated Pixel Data: its frames, as stored when Accept allows it, decoded by default.
                        var asStored = await WadoHttp.GetAsync(http, uri, WadoHttp.Accept(DicomMediaTypes.OctetStream, "*"));
                        Assert.Equal(frames, asStored.Parts.Select(part => Sha256(part.Body)));
                        Assert.All(asStored.Parts, part => Assert.StartsWith("image/", part.ContentType, StringComparison.Ordinal));
                        continue;
                    }
                    var answer = await WadoHttp.GetAsync(http, uri, null);
                    Assert.True(answer.Status == HttpStatusCode.OK, $"{uri}: {answer.Status} {answer.Text}");
                    var part = Assert.Single(answer.Parts);
                    Assert.Equal("application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1", part.ContentType);
                    Assert.Equal(expected[path][0], Sha256(part.Body));
                }
            }

            // A bare application/octet-stream answer takes Range, so a large value can be fetched in pieces.
            var ct = ArchiveTranscodingTests.InstanceUrl("CT_small.dcm");
            var privateBlob = (DicomValueElement)DicomFile.Open(ArchiveTranscodingTests.Corpus("CT_small.dcm")).Dataset.GetElement(new DicomTag(0x0043, 0x1029));
            var whole = await WadoHttp.GetAsync(http, ct + "/bulk/00431029", DicomMediaTypes.OctetStream);
            Assert.Equal(DicomMediaTypes.OctetStream, whole.ContentType);
            Assert.Equal(privateBlob.Buffer.GetBytes().ToArray(), whole.Parts[0].Body);
            var piece = await WadoHttp.GetAsync(http, ct + "/bulk/00431029", DicomMediaTypes.OctetStream, range: "bytes=1000-1099");
            Assert.Equal(HttpStatusCode.PartialContent, piece.Status);
            Assert.Equal(privateBlob.Buffer.GetBytes()[1000..1100].ToArray(), piece.Parts[0].Body);

            Assert.Equal(HttpStatusCode.NotFound, (await WadoHttp.GetAsync(http, ct + "/bulk/00431030", null)).Status);
            var notPath = await WadoHttp.GetAsync(http, ct + "/bulk/7FE00010/0/00100010", null);
            Assert.Equal(HttpStatusCode.NotFound, notPath.Status);
            Assert.Contains("names no item of a sequence", notPath.Text, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotAcceptable, (await WadoHttp.GetAsync(http, ct + "/bulk/00431029", "image/png")).Status);
        }
        finally
        {
            File.Delete(script);
        }
    }

    /// <summary>Every BulkDataURI by tag path; and no InlineBinary of more than 1 KiB is left in the metadata.</summary>
    private static void Walk(JsonElement dataset, string path, Dictionary<string, string> uris)
    {
        foreach (var element in dataset.EnumerateObject())
        {
            var key = path + element.Name;
            if (element.Value.TryGetProperty("BulkDataURI", out var uri))
            {
                uris.Add(key, uri.GetString()!);
            }
            if (element.Value.TryGetProperty("InlineBinary", out var inline))
            {
                Assert.True(inline.GetBytesFromBase64().Length <= 1024, $"{key} is inline with {inline.GetBytesFromBase64().Length} bytes");
            }
            if (element.Value.GetProperty("vr").GetString() == "SQ" && element.Value.TryGetProperty("Value", out var items))
            {
                var i = 0;
                foreach (var item in items.EnumerateArray())
                {
                    Walk(item, $"{key}/{i++}/", uris);
                }
            }
        }
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
