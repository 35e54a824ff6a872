using System.Net;
using Cl2.Dicom;
using Cl2.Dicom.Web;
using Cl2.Labeling.Archive;
using Cl2.Labeling.Database;
using Cl2.Labeling.Tests.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cl2.Labeling.Tests.Archive;

/// <summary>
/// WADO-RS metadata and frames come from the layout recorded at STOW time, and equal what parsing the whole instance gave;
/// an instance stored before the archive recorded layouts still serves both, and is given its layout on first read.
/// </summary>
public sealed class ArchiveLayoutBackfillTests
{
    /// <summary>Native CT, JPEG 2000 and a two-frame RLE instance.</summary>
    private static readonly string[] Files = ["CT_small.dcm", "JPEG2000.dcm", "SC_rgb_rle_2frame.dcm"];

    private static readonly string AsStored = WadoHttp.Accept(DicomMediaTypes.OctetStream, "*");

    [Fact]
    public async Task metadata_from_the_recorded_layout_equals_the_whole_instance_written_as_dicom_json()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);
        using var http = host.CreateClient();
        var stow = await ArchiveTests.ClientFor(host).StoreFilesAsync(Files.Select(ArchiveTranscodingTests.Corpus));
        Assert.Empty(stow.Failed);
        Assert.Equal(Files.Length, await CountAsync(host, "metadata is not null and frame_ranges is not null"));

        foreach (var name in Files)
        {
            var answer = await http.GetByteArrayAsync(new Uri(ArchiveTranscodingTests.InstanceUrl(name) + "/metadata", UriKind.Relative));
            Assert.Equal(WholeParse(name, stow), answer);
        }
    }

    [Fact]
    public async Task an_instance_stored_before_layouts_were_recorded_serves_the_same_metadata_and_frames_and_gets_its_layout()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);
        using var http = host.CreateClient();
        var stow = await ArchiveTests.ClientFor(host).StoreFilesAsync(Files.Select(ArchiveTranscodingTests.Corpus));
        Assert.Empty(stow.Failed);

        // The table as the archive made it before it recorded layouts, and its rows: the columns are added back empty.
        var index = host.Services.GetRequiredService<ArchiveIndex>();
        await using (var drop = host.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            $"alter table {index.Table} drop column metadata, drop column metadata_url_offsets, drop column metadata_inline_limit, drop column frame_ranges"))
        {
            await drop.ExecuteNonQueryAsync();
        }
        await new ArchiveIndex(host.Services.GetRequiredService<NpgsqlDataSource>(), host.Services.GetRequiredService<IOptions<PostgresOptions>>())
            .EnsureCreatedAsync(CancellationToken.None);
        Assert.Equal(0, await CountAsync(host, "metadata is not null"));

        foreach (var name in Files)
        {
            var instanceUrl = ArchiveTranscodingTests.InstanceUrl(name);
            Assert.Equal(WholeParse(name, stow), await http.GetByteArrayAsync(new Uri(instanceUrl + "/metadata", UriKind.Relative)));
            var pixelData = Cl2.Testing.Corpus.PixelDataOf(ArchiveTranscodingTests.Corpus(name));
            var frameList = string.Join(',', Enumerable.Range(1, pixelData.NumberOfFrames));
            var frames = await WadoHttp.GetAsync(http, $"{instanceUrl}/frames/{frameList}", AsStored);
            Assert.True(frames.Status == HttpStatusCode.OK, $"{name}: {frames.Status} {frames.Text}");
            Assert.Equal(Enumerable.Range(0, pixelData.NumberOfFrames).Select(pixelData.GetFrameBytes), frames.Parts.Select(part => part.Body));
        }
        Assert.Equal(Files.Length, await CountAsync(host, "metadata is not null and frame_ranges is not null"));
    }

    [Fact]
    public async Task frames_read_by_their_recorded_ranges_equal_the_parsed_frames_stored_and_decoded()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);
        using var http = host.CreateClient();
        Assert.Empty((await ArchiveTests.ClientFor(host).StoreFilesAsync(Files.Select(ArchiveTranscodingTests.Corpus))).Failed);

        foreach (var name in Files)
        {
            var pixelData = Cl2.Testing.Corpus.PixelDataOf(ArchiveTranscodingTests.Corpus(name));
            for (var frame = pixelData.NumberOfFrames; frame >= 1; frame--)
            {
                var url = $"{ArchiveTranscodingTests.InstanceUrl(name)}/frames/{frame}";
                var stored = await WadoHttp.GetAsync(http, url, AsStored);
                Assert.True(stored.Status == HttpStatusCode.OK, $"{name}: {stored.Status} {stored.Text}");
                Assert.Equal(pixelData.GetFrameBytes(frame - 1), Assert.Single(stored.Parts).Body);
                var decoded = await WadoHttp.GetAsync(http, url, null);
                Assert.True(decoded.Status == HttpStatusCode.OK, $"{name}: {decoded.Status} {decoded.Text}");
                Assert.Equal(pixelData.DecodeFrame(frame - 1).Data.ToArray(), Assert.Single(decoded.Parts).Body);
            }
            var beyond = await WadoHttp.GetAsync(http, $"{ArchiveTranscodingTests.InstanceUrl(name)}/frames/{pixelData.NumberOfFrames + 1}", AsStored);
            Assert.Equal(HttpStatusCode.NotFound, beyond.Status);
            Assert.Contains($"frames are numbered 1 to {pixelData.NumberOfFrames}", beyond.Text, StringComparison.Ordinal);
        }
    }

    /// <summary>What WADO-RS metadata answered when it parsed the whole stored instance for each request.</summary>
    private static byte[] WholeParse(string name, StowResponse stow)
    {
        using var output = new MemoryStream();
        output.WriteByte((byte)'[');
        var path = ArchiveTranscodingTests.InstanceUrl(name);
        var url = Assert.Single(stow.Stored, stored => stored.RetrieveUrl!.EndsWith(path, StringComparison.Ordinal)).RetrieveUrl!;
        using var file = File.OpenRead(ArchiveTranscodingTests.Corpus(name));
        DicomJsonWriter.Write(output, DicomFile.Open(file).Dataset, RetrieveBulkData.Locator(url, new ArchiveOptions().MaxInlineBinaryBytes));
        output.WriteByte((byte)']');
        return output.ToArray();
    }

    private static async Task<long> CountAsync(StorageHost host, string condition)
    {
        await using var command = host.Services.GetRequiredService<NpgsqlDataSource>()
            .CreateCommand($"select count(*) from {host.Services.GetRequiredService<ArchiveIndex>().Table} where {condition}");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
