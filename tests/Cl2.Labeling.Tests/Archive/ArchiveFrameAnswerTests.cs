using System.Net;
using Cl2.Dicom;
using Cl2.Dicom.Web;
using Cl2.Labeling.Tests.Blobs;

namespace Cl2.Labeling.Tests.Archive;

/// <summary>How a WADO-RS frame answer travels: a viewer asks for one frame at a time, hundreds of times a series.</summary>
public sealed class ArchiveFrameAnswerTests
{
    /// <returns>The Content-Length the answer declared (read before its body, which would otherwise supply one), and its parts.</returns>
    private static async Task<(long? DeclaredLength, List<byte[]> Parts)> FramesAsync(StorageHost host, string file, string frames)
    {
        var path = Path.Combine(ArchiveTests.Corpus, file);
        Assert.Empty((await ArchiveTests.ClientFor(host).StoreFilesAsync([path])).Failed);
        var dataset = DicomFile.Open(path).Dataset;
        using var http = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/dicomweb/studies/{dataset.GetString(DicomTags.StudyInstanceUID)}/series/" +
            $"{dataset.GetString(DicomTags.SeriesInstanceUID)}/instances/{dataset.GetString(DicomTags.SOPInstanceUID)}/frames/{frames}");
        request.Headers.TryAddWithoutValidation("Accept", WadoHttp.Accept(DicomMediaTypes.OctetStream, "*"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var declared = response.Content.Headers.NonValidated.TryGetValues("Content-Length", out var values) ? long.Parse(values.ToString(),
            System.Globalization.CultureInfo.InvariantCulture) : (long?)null;
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var parts = new List<byte[]>();
        using var reader = MultipartRelatedReader.Create(new MemoryStream(body), response.Content.Headers.ContentType!.ToString());
        while (await reader.ReadNextPartAsync() is { } part)
        {
            parts.Add(await part.ReadAllAsync());
        }
        Assert.True(declared is null || declared == body.Length);
        return (declared, parts);
    }

    [Fact]
    public async Task a_one_frame_answer_declares_its_length()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);

        var (declared, parts) = await FramesAsync(host, "CT_small.dcm", "1");

        Assert.NotNull(declared);
        var ct = DicomFile.Open(Path.Combine(ArchiveTests.Corpus, "CT_small.dcm")).Dataset;
        Assert.Equal(((DicomValueElement)ct.GetElement(DicomTags.PixelData)).Buffer.GetBytes().ToArray(), Assert.Single(parts));
    }

    [Fact]
    public async Task an_answer_of_several_frames_is_streamed_frame_by_frame()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);

        var (declared, parts) = await FramesAsync(host, "SC_rgb_rle_2frame.dcm", "1,2");

        // Its length is not known before the first frame goes: no Content-Length.
        Assert.Null(declared);
        Assert.Equal(2, parts.Count);
        Assert.NotEqual(parts[0], parts[1]);
    }
}
