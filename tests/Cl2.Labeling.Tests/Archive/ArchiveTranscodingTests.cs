using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using Cl2.Dicom;
using Cl2.Dicom.Imaging;
using Cl2.Dicom.Web;
using Cl2.Labeling.Tests.Blobs;

namespace Cl2.Labeling.Tests.Archive;

/// <summary>
/// WADO-RS transfer syntax negotiation (PS3.18 §8.7.3): instances rewritten in the syntax Accept names, checked against
/// DCMTK's dcmconv/dcmdrle writing the same syntax; frames native by default or as stored; 406 naming what is available.
/// </summary>
public sealed class ArchiveTranscodingTests
{
    private const string ExplicitLE = "1.2.840.10008.1.2.1";
    private const string ImplicitLE = "1.2.840.10008.1.2";
    private const string Deflated = "1.2.840.10008.1.2.1.99";
    private const string JpegBaseline = "1.2.840.10008.1.2.4.50";
    private const string Rle = "1.2.840.10008.1.2.5";

    private static readonly string[] Files = ["CT_small.dcm", "rtplan.dcm", "MR_small_bigendian.dcm", "SC_rgb_rle_2frame.dcm", "SC_rgb_jpeg_dcmtk.dcm"];

    [Fact]
    public async Task wado_rs_writes_instances_in_the_transfer_syntax_accept_names_as_dcmtk_writes_it_and_refuses_to_compress_with_406()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);
        using var http = host.CreateClient();
        await ArchiveTests.ClientFor(host).StoreFilesAsync(Files.Select(Corpus));
        var work = Directory.CreateTempSubdirectory("cl2-wado-ts-").FullName;
        try
        {
            // Uncompressed into uncompressed: the dataset DCMTK writes with undefined lengths and no group lengths, byte for byte.
            foreach (var (name, syntax, option) in new[]
            {
                ("CT_small.dcm", ImplicitLE, "+ti"), ("rtplan.dcm", ExplicitLE, "+te"), ("MR_small_bigendian.dcm", ExplicitLE, "+te"),
                ("MR_small_bigendian.dcm", ImplicitLE, "+ti"),
            })
            {
                var ours = await RetrieveOneAsync(http, name, WadoHttp.Accept(DicomMediaTypes.Dicom, syntax), syntax);
                var expected = await DcmtkAsync(work, "dcmconv", name, option);
                Assert.Equal(DatasetBytes(expected), DatasetBytes(ours));
            }

            // No transfer-syntax: Explicit VR Little Endian (PS3.18 since 2016c), so an implicit instance is rewritten and an explicit one sent as stored.
            var rtplan = await RetrieveOneAsync(http, "rtplan.dcm", WadoHttp.Accept(DicomMediaTypes.Dicom), ExplicitLE);
            Assert.Equal(DatasetBytes(await DcmtkAsync(work, "dcmconv", "rtplan.dcm", "+te")), DatasetBytes(rtplan));
            Assert.Equal(await File.ReadAllBytesAsync(Corpus("CT_small.dcm")), await RetrieveOneAsync(http, "CT_small.dcm", null, ExplicitLE));
            Assert.Equal(await File.ReadAllBytesAsync(Corpus("rtplan.dcm")),
                await RetrieveOneAsync(http, "rtplan.dcm", WadoHttp.Accept(DicomMediaTypes.Dicom, "*"), ImplicitLE));

            // Deflated: dcmdump reads what we wrote to the same dataset it reads from dcmconv's explicit little endian copy.
            var deflated = await RetrieveOneAsync(http, "CT_small.dcm", WadoHttp.Accept(DicomMediaTypes.Dicom, Deflated), Deflated);
            var deflatedPath = Path.Combine(work, "deflated.dcm");
            await File.WriteAllBytesAsync(deflatedPath, deflated);
            await DcmtkAsync(work, "dcmconv", "CT_small.dcm", "+te");
            Assert.Equal(await DumpDatasetAsync(Path.Combine(work, "CT_small.dcm.+te")), await DumpDatasetAsync(deflatedPath));

            // Compressed into native: RLE decoded, the same pixels and dataset as DCMTK's dcmdrle gives.
            var rle = await RetrieveOneAsync(http, "SC_rgb_rle_2frame.dcm", WadoHttp.Accept(DicomMediaTypes.Dicom), ExplicitLE);
            var dcmdrle = Open(await DcmtkAsync(work, "dcmdrle", "SC_rgb_rle_2frame.dcm", "+te"));
            var decoded = DicomFile.Open(new MemoryStream(rle));
            Assert.Equal(PixelBytes(dcmdrle), PixelBytes(decoded));
            Assert.Equal(dcmdrle.Dataset.GetValue<int>(DicomTags.PlanarConfiguration), decoded.Dataset.GetValue<int>(DicomTags.PlanarConfiguration));

            // A compressed syntax from an uncompressed instance: 406, naming what is available.
            var refused = await WadoHttp.GetAsync(http, InstanceUrl("CT_small.dcm"), WadoHttp.Accept(DicomMediaTypes.Dicom, JpegBaseline));
            Assert.Equal(HttpStatusCode.NotAcceptable, refused.Status);
            Assert.Contains($"transfer-syntax={ExplicitLE} or {ImplicitLE} or {Deflated}", refused.Text, StringComparison.Ordinal);
            Assert.Contains("Nothing is compressed", refused.Text, StringComparison.Ordinal);
            var study = DicomFile.Open(Corpus("CT_small.dcm")).Dataset.GetString(DicomTags.StudyInstanceUID);
            Assert.Equal(HttpStatusCode.NotAcceptable,
                (await WadoHttp.GetAsync(http, $"/dicomweb/studies/{study}", WadoHttp.Accept(DicomMediaTypes.Dicom, Rle))).Status);
            Assert.Equal(HttpStatusCode.NotAcceptable, (await WadoHttp.GetAsync(http, InstanceUrl("CT_small.dcm"), DicomMediaTypes.DicomJson)).Status);

            // The first acceptable range wins, by quality then order.
            var preferred = await WadoHttp.GetAsync(http, InstanceUrl("CT_small.dcm"),
                $"{WadoHttp.Accept(DicomMediaTypes.Dicom, JpegBaseline)}, {WadoHttp.Accept(DicomMediaTypes.Dicom, ImplicitLE)};q=0.5, {WadoHttp.Accept(DicomMediaTypes.Dicom, Deflated)};q=0.9");
            Assert.Contains($"transfer-syntax={Deflated}", Assert.Single(preferred.Parts).ContentType, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task wado_rs_frames_are_native_by_default_as_stored_where_accept_allows_the_stored_type_and_rendered_is_png_only()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);
        using var http = host.CreateClient();
        await ArchiveTests.ClientFor(host).StoreFilesAsync(Files.Select(Corpus));
        var work = Directory.CreateTempSubdirectory("cl2-wado-frames-").FullName;
        try
        {
            var rleFrames = InstanceUrl("SC_rgb_rle_2frame.dcm") + "/frames/1,2";
            var dcmdrle = DicomPixelData.From(Open(await DcmtkAsync(work, "dcmdrle", "SC_rgb_rle_2frame.dcm", "+te")));
            var stored = DicomPixelData.From(DicomFile.Open(Corpus("SC_rgb_rle_2frame.dcm")));

            foreach (var accept in new[] { null, "*/*", WadoHttp.Accept(DicomMediaTypes.OctetStream), WadoHttp.Accept(DicomMediaTypes.OctetStream, ExplicitLE) })
            {
                var native = await WadoHttp.GetAsync(http, rleFrames, accept);
                Assert.Equal(HttpStatusCode.OK, native.Status);
                Assert.Equal(2, native.Parts.Count);
                for (var i = 0; i < 2; i++)
                {
                    Assert.Equal($"{DicomMediaTypes.OctetStream}; transfer-syntax={ExplicitLE}", native.Parts[i].ContentType);
                    Assert.Equal(dcmdrle.GetFrameBytes(i), native.Parts[i].Body);
                }
            }
            foreach (var accept in new[] { WadoHttp.Accept(DicomMediaTypes.OctetStream, "*"), WadoHttp.Accept("image/dicom-rle"), WadoHttp.Accept("image/dicom-rle", Rle) })
            {
                var asStored = await WadoHttp.GetAsync(http, rleFrames, accept);
                Assert.Equal([$"image/dicom-rle; transfer-syntax={Rle}", $"image/dicom-rle; transfer-syntax={Rle}"], asStored.Parts.Select(p => p.ContentType));
                Assert.Equal(stored.GetFrameBytes(0), asStored.Parts[0].Body);
                Assert.Equal(stored.GetFrameBytes(1), asStored.Parts[1].Body);
            }
            var wrongType = await WadoHttp.GetAsync(http, rleFrames, WadoHttp.Accept("image/jpeg"));
            Assert.Equal(HttpStatusCode.NotAcceptable, wrongType.Status);
            Assert.Contains("type=\"image/dicom-rle\"; transfer-syntax=1.2.840.10008.1.2.5", wrongType.Text, StringComparison.Ordinal);
            Assert.Contains("type=\"application/octet-stream\"", wrongType.Text, StringComparison.Ordinal);

            var jpeg = await WadoHttp.GetAsync(http, InstanceUrl("SC_rgb_jpeg_dcmtk.dcm") + "/frames/1", WadoHttp.Accept("image/jpeg"));
            Assert.Equal($"image/jpeg; transfer-syntax={JpegBaseline}", Assert.Single(jpeg.Parts).ContentType);
            Assert.Equal(DicomPixelData.From(DicomFile.Open(Corpus("SC_rgb_jpeg_dcmtk.dcm"))).GetFrameBytes(0), jpeg.Parts[0].Body);
            Assert.Equal("FFD8", Convert.ToHexString(jpeg.Parts[0].Body[..2]));

            var ctFrame = InstanceUrl("CT_small.dcm") + "/frames/1";
            var ct = DicomFile.Open(Corpus("CT_small.dcm")).Dataset;
            Assert.Equal(((DicomValueElement)ct.GetElement(DicomTags.PixelData)).Buffer.GetBytes().ToArray(),
                Assert.Single((await WadoHttp.GetAsync(http, ctFrame, null)).Parts).Body);
            var noJpegOfNative = await WadoHttp.GetAsync(http, ctFrame, WadoHttp.Accept("image/jpeg", JpegBaseline));
            Assert.Equal(HttpStatusCode.NotAcceptable, noJpegOfNative.Status);
            Assert.Contains("ask for multipart/related with type=\"application/octet-stream\"", noJpegOfNative.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("as stored", noJpegOfNative.Text, StringComparison.Ordinal); // nothing is compressed on the way out

            // Rendered: PNG for image/png, image/* or no Accept; image/jpeg is refused before any decoding.
            foreach (var accept in new[] { DicomMediaTypes.Png, "image/*", "image/jpeg;q=0.9, image/png;q=0.5" })
            {
                var png = await WadoHttp.GetAsync(http, InstanceUrl("CT_small.dcm") + "/rendered", accept);
                Assert.Equal(DicomMediaTypes.Png, png.ContentType);
                Assert.Equal("128x128 gray", await PngOracle.DescribeAsync(png.Parts[0].Body));
            }
            var jpegRendered = await WadoHttp.GetAsync(http, InstanceUrl("CT_small.dcm") + "/rendered", DicomMediaTypes.Jpeg);
            Assert.Equal(HttpStatusCode.NotAcceptable, jpegRendered.Status);
            Assert.Contains("image/png only", jpegRendered.Text, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task a_compressed_instance_whose_frames_cannot_be_decoded_is_406_when_asked_native_and_still_comes_as_stored()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);
        using var http = host.CreateClient();
        // A JPEG instance whose frame lost its Start Of Image marker: well-formed DICOM (STOW stores it), undecodable pixels.
        var bytes = await File.ReadAllBytesAsync(Corpus("SC_rgb_jpeg_dcmtk.dcm"));
        var soi = bytes.AsSpan().IndexOf([(byte)0xFF, (byte)0xD8, (byte)0xFF]);
        Assert.True(soi > 0);
        bytes[soi] = 0;
        bytes[soi + 1] = 0;
        var stow = await ArchiveTests.ClientFor(host).StoreAsync([MultipartRelatedPart.FromBytes(bytes)]);
        Assert.Equal(HttpStatusCode.OK, stow.Status);
        var url = InstanceUrl("SC_rgb_jpeg_dcmtk.dcm");

        var instance = await WadoHttp.GetAsync(http, url, WadoHttp.Accept(DicomMediaTypes.Dicom));
        Assert.Equal(HttpStatusCode.NotAcceptable, instance.Status);
        Assert.Contains("transfer-syntax=*", instance.Text, StringComparison.Ordinal);
        var frames = await WadoHttp.GetAsync(http, url + "/frames/1", null);
        Assert.Equal(HttpStatusCode.NotAcceptable, frames.Status);
        Assert.Contains("cannot be decoded", frames.Text, StringComparison.Ordinal);

        Assert.Equal(bytes, Assert.Single((await WadoHttp.GetAsync(http, url, WadoHttp.Accept(DicomMediaTypes.Dicom, "*"))).Parts).Body);
        Assert.Equal(DicomMediaTypes.Jpeg + "; transfer-syntax=" + JpegBaseline,
            Assert.Single((await WadoHttp.GetAsync(http, url + "/frames/1", WadoHttp.Accept(DicomMediaTypes.Jpeg))).Parts).ContentType);
    }

    [Fact]
    public async Task native_frames_of_jpeg_ls_and_jpeg_2000_instances_are_the_pixels_dcmdjpls_and_gdcmconv_decode()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);
        using var http = host.CreateClient();
        var work = Directory.CreateTempSubdirectory("cl2-wado-codecs-").FullName;
        try
        {
            // Both are MR_small compressed losslessly, with its SOP Instance UID: the second STOW replaces the first in the index.
            foreach (var (name, decoder, arguments) in new[]
            {
                ("MR_small_jpeg_ls_lossless.dcm", "/usr/bin/dcmdjpls", Array.Empty<string>()),
                ("MR_small_jp2klossless.dcm", "/usr/bin/gdcmconv", ["--raw"]),
            })
            {
                Assert.Empty((await ArchiveTests.ClientFor(host).StoreFilesAsync([Corpus(name)])).Failed);
                var output = Path.Combine(work, name);
                (await ProcessRunner.RunAsync(decoder, [.. arguments, Corpus(name), output])).EnsureSuccess($"{decoder} {name}");
                var frame = await WadoHttp.GetAsync(http, InstanceUrl(name) + "/frames/1", WadoHttp.Accept(DicomMediaTypes.OctetStream));
                Assert.Equal($"{DicomMediaTypes.OctetStream}; transfer-syntax={ExplicitLE}", Assert.Single(frame.Parts).ContentType);
                Assert.Equal(PixelBytes(DicomFile.Open(output)), frame.Parts[0].Body);
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    public static string Corpus(string name) => Path.Combine(ArchiveTests.Corpus, name);

    public static string InstanceUrl(string name)
    {
        var dataset = DicomFile.Open(Corpus(name)).Dataset;
        return $"/dicomweb/studies/{dataset.GetString(DicomTags.StudyInstanceUID)}/series/{dataset.GetString(DicomTags.SeriesInstanceUID)}"
            + $"/instances/{dataset.GetString(DicomTags.SOPInstanceUID)}";
    }

    /// <summary>The one instance WADO-RS sends for <paramref name="name"/>, checking the part says the syntax its bytes are in.</summary>
    private static async Task<byte[]> RetrieveOneAsync(HttpClient http, string name, string? accept, string expectedSyntax)
    {
        var answer = await WadoHttp.GetAsync(http, InstanceUrl(name), accept);
        Assert.True(answer.Status == HttpStatusCode.OK, $"{name} with Accept {accept}: {answer.Status} {answer.Text}");
        var (contentType, body) = Assert.Single(answer.Parts);
        Assert.Equal($"{DicomMediaTypes.Dicom}; transfer-syntax={expectedSyntax}", contentType);
        Assert.Equal(expectedSyntax, DicomFile.Open(new MemoryStream(body)).TransferSyntax.Uid);
        return body;
    }

    /// <summary>DCMTK's copy of a corpus file, written with undefined lengths and no group lengths, as Cl2.Dicom writes.</summary>
    private static async Task<byte[]> DcmtkAsync(string work, string tool, string name, string syntaxOption)
    {
        var output = Path.Combine(work, $"{name}.{syntaxOption}");
        (await Dcmtk.RunAsync(tool, [syntaxOption, "-e", "-g", Corpus(name), output])).EnsureSuccess($"{tool} {syntaxOption} {name}");
        return await File.ReadAllBytesAsync(output);
    }

    /// <summary>The encoded dataset after the File Meta Information (which names its writer, so differs), inflated if deflated.</summary>
    private static byte[] DatasetBytes(byte[] part10)
    {
        var metaLength = BinaryPrimitives.ReadUInt32LittleEndian(part10.AsSpan(128 + 4 + 8));
        var dataset = part10[(int)(128 + 4 + 12 + metaLength)..];
        if (DicomFile.Open(new MemoryStream(part10)).TransferSyntax.IsDeflated)
        {
            using var inflated = new MemoryStream();
            using (var deflate = new DeflateStream(new MemoryStream(dataset), CompressionMode.Decompress))
            {
                deflate.CopyTo(inflated);
            }
            return inflated.ToArray();
        }
        return dataset;
    }

    private static async Task<string> DumpDatasetAsync(string path)
    {
        var dump = await Dcmtk.RunAsync("dcmdump", ["+L", "-dc", path]);
        dump.EnsureSuccess($"dcmdump {path}");
        var lines = dump.Output.Split('\n');
        return string.Join('\n', lines.SkipWhile(line => !line.StartsWith("# Dicom-Data-Set", StringComparison.Ordinal)).Skip(2));
    }

    private static DicomFile Open(byte[] part10) => DicomFile.Open(new MemoryStream(part10));

    private static byte[] PixelBytes(DicomFile file) => ((DicomValueElement)file.Dataset.GetElement(DicomTags.PixelData)).Buffer.GetBytes().ToArray();
}
