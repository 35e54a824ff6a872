using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cl2.Dicom;
using Cl2.Dicom.Web;
using Cl2.Dicom.Tests.DataSets;

namespace Cl2.Dicom.Tests.Web;

/// <summary>Our DICOMweb client against Orthanc's DICOMweb server (the real plugin, started by the test).</summary>
public sealed class DicomWebClientTests
{
    /// <summary>Uncompressed, JPEG 2000, multi-frame RLE, RT and SR objects with distinct SOP Instance UIDs.</summary>
    private static readonly string[] Subset =
        ["test_files/CT_small.dcm", "test_files/MR_small.dcm", "test_files/JPEG2000.dcm", "test_files/SC_rgb_rle_2frame.dcm", "test_files/rtplan.dcm", "test_files/test-SR.dcm"];

    [Fact]
    public async Task instances_stored_by_stow_are_found_by_qido_and_retrieved_by_wado_byte_identical_to_what_orthanc_keeps()
    {
        await using var orthanc = await OrthancPeer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{orthanc.HttpPort}/dicom-web/") };
        var client = new DicomWebClient(http);
        var files = Subset.Select(Corpus.DataFile).ToArray();
        var datasets = files.Select(path => DicomFile.Open(path).Dataset).ToArray();
        Assert.Equal(files.Length, datasets.Select(d => d.GetString(DicomTags.SOPInstanceUID)).Distinct().Count());

        var stow = await client.StoreFilesAsync(files);

        Assert.Equal(HttpStatusCode.OK, stow.Status);
        Assert.Empty(stow.Failed);
        Assert.Equal(datasets.Select(d => d.GetString(DicomTags.SOPInstanceUID)).Order(), stow.Stored.Select(s => s.SopInstanceUid).Order());

        var studies = await client.SearchStudiesAsync();
        Assert.Equal(datasets.Select(d => d.GetString(DicomTags.StudyInstanceUID)).Distinct().Order(),
            studies.Select(s => s.GetString(DicomTags.StudyInstanceUID)).Order());

        foreach (var (path, dataset) in files.Zip(datasets))
        {
            var (study, series, sop) = (dataset.GetString(DicomTags.StudyInstanceUID), dataset.GetString(DicomTags.SeriesInstanceUID),
                dataset.GetString(DicomTags.SOPInstanceUID));
            var found = await client.SearchInstancesAsync(study, series, new QidoQuery().Where("SOPInstanceUID", sop));
            Assert.Equal(sop, Assert.Single(found).GetString(DicomTags.SOPInstanceUID));

            var retrieved = await client.RetrieveInstanceAsync(study, series, sop);
            Assert.True(await OrthancFileAsync(orthanc, sop) == Convert.ToHexString(retrieved), $"WADO-RS bytes of {path} differ from Orthanc's stored file");

            var metadata = Assert.Single(await client.RetrieveMetadataAsync(study, series, sop));
            Assert.Equal(dataset.GetString(DicomTags.SOPClassUID), metadata.GetString(DicomTags.SOPClassUID));
        }
    }

    [Fact]
    public async Task qido_matches_paging_includefield_frames_and_rendered_images_come_back_as_orthanc_serves_them()
    {
        await using var orthanc = await OrthancPeer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{orthanc.HttpPort}/dicom-web/") };
        var client = new DicomWebClient(http);
        var files = Subset.Select(Corpus.DataFile).ToArray();
        await client.StoreFilesAsync(files);
        var ct = DicomFile.Open(Corpus.DataFile("test_files/CT_small.dcm")).Dataset;
        var (study, series, sop) = (ct.GetString(DicomTags.StudyInstanceUID), ct.GetString(DicomTags.SeriesInstanceUID), ct.GetString(DicomTags.SOPInstanceUID));

        var byPatient = await client.SearchStudiesAsync(new QidoQuery().Where("PatientID", ct.GetString(DicomTags.PatientID)).Include("StudyDescription"));
        var match = Assert.Single(byPatient, s => s.GetString(DicomTags.StudyInstanceUID) == study);
        Assert.True(match.Contains(DicomTags.StudyDescription));
        Assert.Equal("CT", Assert.Single(await client.SearchSeriesAsync(study)).GetString(DicomTags.Modality));

        var all = await client.SearchInstancesAsync();
        var first = await client.SearchInstancesAsync(query: new QidoQuery().Page(2, 0));
        var next = await client.SearchInstancesAsync(query: new QidoQuery().Page(2, 2));
        Assert.Equal(files.Length, all.Count);
        Assert.Equal(2, first.Count);
        Assert.Equal(2, next.Count);
        Assert.Empty(first.Select(d => d.GetString(DicomTags.SOPInstanceUID)).Intersect(next.Select(d => d.GetString(DicomTags.SOPInstanceUID))));

        var frame = Assert.Single(await client.RetrieveFramesAsync(study, series, sop, [1]));
        Assert.Equal(((DicomValueElement)ct.GetElement(DicomTags.PixelData)).Buffer.GetBytes().ToArray(), frame);

        var (contentType, png) = await client.RetrieveRenderedAsync(study, series, sop);
        Assert.Equal(DicomMediaTypes.Png, contentType);
        Assert.Equal("89504E470D0A1A0A", Convert.ToHexString(png[..8]));

        var missing = await Assert.ThrowsAsync<DicomWebException>(() => client.RetrieveInstanceAsync(study, series, "1.2.3.4.5.6.7.8.9"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static async Task<string> OrthancFileAsync(OrthancPeer orthanc, string sopInstanceUid)
    {
        using var lookup = await orthanc.Http.PostAsync(new Uri("tools/lookup", UriKind.Relative), new StringContent(sopInstanceUid));
        var matches = await lookup.Content.ReadFromJsonAsync<JsonElement>();
        var id = matches.EnumerateArray().Single(m => m.GetProperty("Type").GetString() == "Instance").GetProperty("ID").GetString();
        return Convert.ToHexString(await orthanc.Http.GetByteArrayAsync(new Uri($"instances/{id}/file", UriKind.Relative)));
    }
}
