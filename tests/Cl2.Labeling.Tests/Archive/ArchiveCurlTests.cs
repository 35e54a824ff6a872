using System.Text.Json;
using Cl2.Dicom;
using Cl2.Dicom.Web;
using Cl2.Labeling.Tests.Blobs;

namespace Cl2.Labeling.Tests.Archive;

/// <summary>The archive as a client that is not ours sees it: curl over a real socket.</summary>
public sealed class ArchiveCurlTests
{
    [Fact]
    public async Task curl_stores_by_multipart_stow_finds_by_qido_and_retrieves_by_wado_the_same_bytes()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var port = FreePort.Next();
        await using var host = new StorageHost(postgres);
        host.UseKestrel(port);
        host.StartServer();
        var root = $"http://127.0.0.1:{port}/dicomweb";
        var path = Path.Combine(ArchiveTests.Corpus, "MR_small.dcm");
        var dataset = DicomFile.Open(path).Dataset;
        var (study, series, sop) = (dataset.GetString(DicomTags.StudyInstanceUID), dataset.GetString(DicomTags.SeriesInstanceUID),
            dataset.GetString(DicomTags.SOPInstanceUID));
        var work = Directory.CreateTempSubdirectory("cl2-curl-").FullName;
        try
        {
            // curl builds the multipart body; the Content-Type header makes it multipart/related, and curl appends the boundary.
            var stow = await ProcessRunner.RunAsync("curl", ["-sS", "-f", "-X", "POST", "-H", "Content-Type: multipart/related; type=\"application/dicom\"",
                "-H", "Accept: application/dicom+json", "-F", $"file=@{path};type=application/dicom", $"{root}/studies"]);
            stow.EnsureSuccess("curl STOW-RS");
            var stored = StowResponse.FromDataset(System.Net.HttpStatusCode.OK, DicomJsonReader.Parse(stow.Output));
            Assert.Equal(sop, Assert.Single(stored.Stored).SopInstanceUid);

            var qido = await ProcessRunner.RunAsync("curl", ["-sS", "-f", "-H", "Accept: application/dicom+json", $"{root}/studies?PatientID={Uri.EscapeDataString(dataset.GetString(DicomTags.PatientID))}"]);
            qido.EnsureSuccess("curl QIDO-RS");
            var studies = DicomJsonReader.ParseArray(JsonDocument.Parse(qido.Output).RootElement);
            Assert.Equal(study, Assert.Single(studies).GetString(DicomTags.StudyInstanceUID));

            var body = Path.Combine(work, "wado.bin");
            var headers = Path.Combine(work, "headers.txt");
            var wado = await ProcessRunner.RunAsync("curl", ["-sS", "-f", "-D", headers, "-o", body, "-H", "Accept: multipart/related; type=\"application/dicom\"",
                $"{root}/studies/{study}/series/{series}/instances/{sop}"]);
            wado.EnsureSuccess("curl WADO-RS");
            var contentType = (await File.ReadAllLinesAsync(headers)).Single(line => line.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))[13..].Trim();
            await using var response = File.OpenRead(body);
            using var reader = MultipartRelatedReader.Create(response, contentType);
            var part = await reader.ReadNextPartAsync();
            Assert.Equal(await File.ReadAllBytesAsync(path), await part!.ReadAllAsync());
            Assert.Null(await reader.ReadNextPartAsync());

            // Transfer syntax negotiation as curl asks for it: implicit VR little endian comes back as a file dcmdump reads as such ...
            var implicitBody = Path.Combine(work, "implicit.bin");
            (await ProcessRunner.RunAsync("curl", ["-sS", "-f", "-D", headers, "-o", implicitBody,
                "-H", "Accept: multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2", $"{root}/studies/{study}/series/{series}/instances/{sop}"]))
                .EnsureSuccess("curl WADO-RS implicit VR");
            contentType = (await File.ReadAllLinesAsync(headers)).Single(line => line.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))[13..].Trim();
            await using (var implicitResponse = File.OpenRead(implicitBody))
            {
                using var implicitReader = MultipartRelatedReader.Create(implicitResponse, contentType);
                await File.WriteAllBytesAsync(Path.Combine(work, "implicit.dcm"), await (await implicitReader.ReadNextPartAsync())!.ReadAllAsync());
            }
            var dump = await Dcmtk.RunAsync("dcmdump", ["-M", "+P", "0002,0010", Path.Combine(work, "implicit.dcm")]);
            Assert.Contains("=LittleEndianImplicit", dump.EnsureSuccess("dcmdump").Output, StringComparison.Ordinal);

            // ... a compressed one is 406 Not Acceptable ...
            var refused = await ProcessRunner.RunAsync("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}",
                "-H", "Accept: multipart/related; type=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2.4.50", $"{root}/studies/{study}/series/{series}/instances/{sop}"]);
            Assert.Equal("406", refused.EnsureSuccess("curl WADO-RS JPEG").Output.Trim());

            // ... and the Pixel Data's bulk data URI gives a byte range of the value.
            var pixels = ((DicomValueElement)dataset.GetElement(DicomTags.PixelData)).Buffer.GetBytes().ToArray();
            var range = await ProcessRunner.RunAsync("curl", ["-sS", "-f", "-r", "100-199", "-o", Path.Combine(work, "range.bin"), "-H", "Accept: application/octet-stream",
                $"{root}/studies/{study}/series/{series}/instances/{sop}/bulk/7FE00010"]);
            range.EnsureSuccess("curl bulk data range");
            Assert.Equal(pixels[100..200], await File.ReadAllBytesAsync(Path.Combine(work, "range.bin")));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
