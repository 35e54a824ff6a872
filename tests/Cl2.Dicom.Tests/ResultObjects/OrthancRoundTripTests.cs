using System.Globalization;

namespace Cl2.Dicom.Tests.ResultObjects;

/// <summary>Result objects go to a PACS: stored into Orthanc by C-STORE, retrieved by C-GET, they come back as they were sent.</summary>
public sealed class OrthancRoundTripTests(MeasurementReportFixture fixture) : IClassFixture<MeasurementReportFixture>
{
    private const string CallingAeTitle = "CL2SCU";

    [Fact]
    public async Task a_segmentation_and_its_reports_come_back_from_orthanc_by_c_get_with_the_content_sent()
    {
        // Orthanc answers C-GET only to AEs it knows; the retrieve comes back over the same association, so the port is unused.
        await using var orthanc = await OrthancPeer.StartAsync(new Dictionary<string, (string, int)> { [CallingAeTitle] = ("127.0.0.1", 1) });
        string[] peer = ["-aec", orthanc.AeTitle, "127.0.0.1", orthanc.DicomPort.ToString(CultureInfo.InvariantCulture)];
        var sent = new[] { fixture.Segmentation.Path, fixture.VolumePath, fixture.FracturePath };
        var folder = Directory.CreateTempSubdirectory("cl2-result-get-").FullName;
        try
        {
            var store = DicomToolRunner.Run(["store", .. peer, .. sent]);
            Assert.True(store.ExitCode == 0, store.Output + store.Error + orthanc.Output);
            Assert.Equal(3, (await orthanc.InstanceUidsAsync()).Count);

            foreach (var study in sent.Select(p => DicomFile.Open(p).Dataset.GetString(DicomTags.StudyInstanceUID)).Distinct())
            {
                var get = DicomToolRunner.Run(["get", "-od", folder, "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={study}", .. peer]);
                Assert.True(get.ExitCode == 0, get.Output + get.Error);
            }

            foreach (var path in sent)
            {
                var uid = DicomFile.Open(path).Dataset.GetString(DicomTags.SOPInstanceUID);
                var arrived = Path.Combine(folder, uid + ".dcm");
                Assert.True(File.Exists(arrived), $"{Path.GetFileName(path)} did not come back");
                // DCMTK in Orthanc re-encodes sequences with explicit lengths: compare content, as dcm2json prints it.
                Assert.Equal(await JsonAsync(path), await JsonAsync(arrived));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<string> JsonAsync(string path) => (await Dcmtk.RunAsync("dcm2json", [path])).EnsureSuccess("dcm2json " + path).Output;
}
