using System.Net;
using System.Text;
using Cl2.Dicom;
using Cl2.Dicom.Web;
using Cl2.Labeling.Tests.Blobs;

namespace Cl2.Labeling.Tests.Archive;

/// <summary>The archive's DICOMweb service, driven by our own client (Cl2.Dicom.Web) against a real PostgreSQL.</summary>
public sealed class ArchiveTests
{
    public const string Corpus = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

    /// <summary>Uncompressed CT and MR, JPEG 2000, multi-frame RLE, RT plan and SR: distinct studies and SOP Instance UIDs.</summary>
    public static readonly string[] Files =
        ["CT_small.dcm", "MR_small.dcm", "JPEG2000.dcm", "SC_rgb_rle_2frame.dcm", "rtplan.dcm", "test-SR.dcm"];

    public static DicomWebClient ClientFor(StorageHost host)
    {
        var http = host.CreateClient();
        http.BaseAddress = new Uri(http.BaseAddress!, "/dicomweb/");
        return new DicomWebClient(http);
    }

    [Fact]
    public async Task instances_stored_by_stow_are_found_by_qido_and_come_back_from_wado_byte_identical()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);
        var client = ClientFor(host);
        var paths = Files.Select(name => Path.Combine(Corpus, name)).ToArray();

        var stow = await client.StoreFilesAsync(paths);

        Assert.Equal(HttpStatusCode.OK, stow.Status);
        Assert.Empty(stow.Failed);
        Assert.Equal(paths.Length, stow.Stored.Count);
        Assert.Equal(paths.Length, (await client.SearchInstancesAsync()).Count);
        foreach (var path in paths)
        {
            var dataset = DicomFile.Open(path).Dataset;
            var (study, series, sop) = (dataset.GetString(DicomTags.StudyInstanceUID), dataset.GetString(DicomTags.SeriesInstanceUID),
                dataset.GetString(DicomTags.SOPInstanceUID));
            var found = Assert.Single(await client.SearchInstancesAsync(study, series, new QidoQuery().Where("SOPInstanceUID", sop)));
            Assert.Equal(dataset.GetString(DicomTags.SOPClassUID), found.GetString(DicomTags.SOPClassUID));

            Assert.Equal(await File.ReadAllBytesAsync(path), await client.RetrieveInstanceAsync(study, series, sop));
            var whole = new List<byte[]>();
            await foreach (var instance in client.RetrieveAsync(study))
            {
                whole.Add(instance);
            }
            Assert.Equal(await File.ReadAllBytesAsync(path), Assert.Single(whole));

            var metadata = Assert.Single(await client.RetrieveMetadataAsync(study, series, sop));
            Assert.Equal(sop, metadata.GetString(DicomTags.SOPInstanceUID));
            // Pixel Data is a BulkDataURI (ArchiveBulkDataTests resolves them), which the JSON reader leaves empty.
            Assert.Equal(dataset.Contains(DicomTags.PixelData), metadata.Contains(DicomTags.PixelData));
            Assert.True(!metadata.Contains(DicomTags.PixelData) || ((DicomValueElement)metadata.GetElement(DicomTags.PixelData)).Length == 0);
        }

        var ct = DicomFile.Open(paths[0]).Dataset;
        var (ctStudy, ctSeries, ctSop) = (ct.GetString(DicomTags.StudyInstanceUID), ct.GetString(DicomTags.SeriesInstanceUID), ct.GetString(DicomTags.SOPInstanceUID));
        var frame = Assert.Single(await client.RetrieveFramesAsync(ctStudy, ctSeries, ctSop, [1]));
        Assert.Equal(((DicomValueElement)ct.GetElement(DicomTags.PixelData)).Buffer.GetBytes().ToArray(), frame);
        var (contentType, png) = await client.RetrieveRenderedAsync(ctStudy, ctSeries, ctSop);
        Assert.Equal(DicomMediaTypes.Png, contentType);
        Assert.Equal("89504E470D0A1A0A", Convert.ToHexString(png[..8]));
        Assert.Equal("128x128 gray", await PngOracle.DescribeAsync(png));

        var rle = DicomFile.Open(paths[3]).Dataset;
        var frames = await client.RetrieveFramesAsync(rle.GetString(DicomTags.StudyInstanceUID), rle.GetString(DicomTags.SeriesInstanceUID),
            rle.GetString(DicomTags.SOPInstanceUID), [2, 1]);
        Assert.Equal(2, frames.Count);
        Assert.NotEqual(frames[0], frames[1]);

        var missing = await Assert.ThrowsAsync<DicomWebException>(() => client.RetrieveInstanceAsync(ctStudy, ctSeries, "1.2.3.4"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task invalid_dicom_on_stow_is_listed_as_failed_with_its_reason_and_nothing_of_it_is_stored()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);
        using var http = host.CreateClient();
        var valid = await File.ReadAllBytesAsync(Path.Combine(Corpus, "CT_small.dcm"));
        var truncated = valid[..(valid.Length / 2)];
        var noise = Encoding.ASCII.GetBytes("this is not a DICOM file at all, just text sent by mistake");

        using var mixed = await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative),
            new MultipartRelatedContent([MultipartRelatedPart.FromBytes(valid), MultipartRelatedPart.FromBytes(noise), MultipartRelatedPart.FromBytes(truncated)]));

        Assert.Equal(HttpStatusCode.Accepted, mixed.StatusCode);
        var answer = StowResponse.FromDataset(mixed.StatusCode, DicomJsonReader.Parse(await mixed.Content.ReadAsStringAsync()));
        Assert.Single(answer.Stored);
        Assert.Equal(2, answer.Failed.Count);
        Assert.All(answer.Failed, failure => Assert.Equal((ushort)0xC000, failure.FailureReason));
        Assert.StartsWith("299 cl2: \"2 of 3 parts were not stored (first: part 2 is not a DICOM Part 10 file",
            Assert.Single(mixed.Headers.GetValues("Warning")), StringComparison.Ordinal);
        var reasons = DicomJsonReader.Parse(await mixed.Content.ReadAsStringAsync()).GetSequence(DicomTags.FailedSOPSequence).Items
            .Select(item => item.TryGetPrivateTag(0x0009, "cl2", 0x01, out var tag) ? item.GetString(tag) : "").ToArray();
        Assert.StartsWith("part 2 is not a DICOM Part 10 file: it does not start with a 128-byte preamble and 'DICM'", reasons[0], StringComparison.Ordinal);
        Assert.StartsWith("part 3 is not a readable DICOM Part 10 file", reasons[1], StringComparison.Ordinal);
        Assert.Single(host.StoredFiles); // the valid instance, and no trace of the others

        using var onlyBad = await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative),
            new MultipartRelatedContent([MultipartRelatedPart.FromBytes(noise)]));
        Assert.Equal(HttpStatusCode.Conflict, onlyBad.StatusCode);

        // A message cut short inside a part: refused whole, though its first part was a good instance.
        var otherInstance = await File.ReadAllBytesAsync(Path.Combine(Corpus, "MR_small.dcm"));
        var message = await new MultipartRelatedContent([MultipartRelatedPart.FromBytes(otherInstance), MultipartRelatedPart.FromBytes(valid)], boundary: "cut")
            .ReadAsByteArrayAsync();
        var cut = new ByteArrayContent(message[..(message.Length - 1000)]);
        cut.Headers.TryAddWithoutValidation("Content-Type", MultipartRelatedWriter.ContentType("cut", DicomMediaTypes.Dicom));
        using var refused = await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative), cut);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("nothing was stored", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(host.StoredFiles);
        Assert.Single(await ClientFor(host).SearchInstancesAsync());

        var otherStudy = await ClientFor(host).StoreAsync([MultipartRelatedPart.FromBytes(otherInstance)], studyInstanceUid: "1.2.3.999");
        Assert.Equal(HttpStatusCode.Conflict, otherStudy.Status);
        Assert.Equal((ushort)0xA900, Assert.Single(otherStudy.Failed).FailureReason);
        Assert.Single(host.StoredFiles);

        var wrongType = new ByteArrayContent(valid);
        wrongType.Headers.TryAddWithoutValidation("Content-Type", "application/dicom");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative), wrongType)).StatusCode);
    }

    [Fact]
    public async Task an_instance_over_the_size_limit_is_a_stow_failure_with_out_of_resources_and_is_not_stored()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres, maxBlobBytes: 10_000);
        var client = ClientFor(host);

        var stow = await client.StoreFilesAsync([Path.Combine(Corpus, "CT_small.dcm")]);

        Assert.Equal(HttpStatusCode.Conflict, stow.Status);
        Assert.Equal((ushort)0xA700, Assert.Single(stow.Failed).FailureReason);
        Assert.Empty(stow.Stored);
        Assert.Empty(host.StoredFiles);
        Assert.Empty(await client.SearchInstancesAsync());
    }

    [Fact]
    public async Task qido_matches_uids_wildcards_date_ranges_and_modalities_and_pages_with_limit_and_offset()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);
        var client = ClientFor(host);
        var datasets = Files.Select(name => DicomFile.Open(Path.Combine(Corpus, name)).Dataset).ToArray();
        await client.StoreFilesAsync(Files.Select(name => Path.Combine(Corpus, name)));
        var ct = datasets[0];
        var studies = datasets.Select(d => d.GetString(DicomTags.StudyInstanceUID)).Distinct().Order(StringComparer.Ordinal).ToArray();

        static string[] Uids(IEnumerable<DicomDataset> found, DicomTag tag) => found.Select(d => d.GetString(tag)).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(studies, Uids(await client.SearchStudiesAsync(), DicomTags.StudyInstanceUID));
        var byId = Assert.Single(await client.SearchStudiesAsync(new QidoQuery().Where("PatientID", ct.GetString(DicomTags.PatientID))));
        Assert.Equal(ct.GetString(DicomTags.StudyInstanceUID), byId.GetString(DicomTags.StudyInstanceUID));
        Assert.Equal(1, byId.GetValue<int>(DicomTags.NumberOfStudyRelatedInstances));

        var name = ct.GetString(DicomTags.PatientName);
        var byName = await client.SearchStudiesAsync(new QidoQuery().Where("PatientName", name[..3].ToLowerInvariant() + "*"));
        Assert.Contains(ct.GetString(DicomTags.StudyInstanceUID), Uids(byName, DicomTags.StudyInstanceUID));
        Assert.All(byName, study => Assert.StartsWith(name[..3], study.GetString(DicomTags.PatientName), StringComparison.OrdinalIgnoreCase));

        var date = ct.GetString(DicomTags.StudyDate);
        var inRange = await client.SearchStudiesAsync(new QidoQuery().Where("StudyDate", $"{date}-{date}"));
        Assert.All(inRange, study => Assert.Equal(date, study.GetString(DicomTags.StudyDate)));
        Assert.Contains(ct.GetString(DicomTags.StudyInstanceUID), Uids(inRange, DicomTags.StudyInstanceUID));
        Assert.Empty(await client.SearchStudiesAsync(new QidoQuery().Where("StudyDate", "-18991231")));

        var mr = await client.SearchSeriesAsync(query: new QidoQuery().Where("Modality", "MR"));
        Assert.Equal(Uids(datasets.Where(d => d.GetStringOrDefault(DicomTags.Modality) == "MR"), DicomTags.SeriesInstanceUID), Uids(mr, DicomTags.SeriesInstanceUID));
        var withCt = await client.SearchStudiesAsync(new QidoQuery().Where("ModalitiesInStudy", "CT"));
        Assert.Equal("CT", Assert.Single(withCt).GetString(DicomTags.ModalitiesInStudy));

        var two = new QidoQuery().Where("StudyInstanceUID", $"{studies[0]}\\{studies[1]}");
        Assert.Equal(studies[..2], Uids(await client.SearchStudiesAsync(two), DicomTags.StudyInstanceUID));

        var pages = new List<string>();
        for (var offset = 0; offset < datasets.Length; offset += 4)
        {
            var page = await client.SearchInstancesAsync(query: new QidoQuery().Page(4, offset));
            Assert.True(page.Count <= 4);
            pages.AddRange(page.Select(d => d.GetString(DicomTags.SOPInstanceUID)));
        }
        Assert.Equal(Uids(datasets, DicomTags.SOPInstanceUID), pages.Order(StringComparer.Ordinal));

        var unknown = await Assert.ThrowsAsync<DicomWebException>(() => client.SearchStudiesAsync(new QidoQuery().Where("Modality", "CT")));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("ModalitiesInStudy", unknown.Message, StringComparison.Ordinal);
    }
}
