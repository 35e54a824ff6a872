using System.Net.Http.Headers;
using Cl2.Dicom;
using Cl2.Labeling.Tests.Archive;

namespace Cl2.Labeling.Tests.Cohorts;

/// <summary>
/// A real Orthanc as the PACS, loaded with corpus studies: CT_small plus a second instance of its study (a copy under a
/// new SOP Instance UID), and MR_small. Orthanc answers C-FIND/C-GET only to AE titles it knows, so ours is registered.
/// </summary>
public sealed class PacsFixture : IAsyncLifetime
{
    public const string CallingAeTitle = "CL2SCU";

    /// <summary>Where C-MOVE hosts have Orthanc send (registered with Orthanc by each test once its storage SCP listens).</summary>
    public const string MoveDestination = "CL2STORE";

    public OrthancPeer Orthanc { get; private set; } = null!;

    public string Folder { get; } = Directory.CreateTempSubdirectory("cl2-pacs-corpus-").FullName;

    public string CtPath => Path.Combine(ArchiveTests.Corpus, "CT_small.dcm");

    public string CtStudy { get; private set; } = "";

    public string MrStudy { get; private set; } = "";

    /// <summary>Every SOP Instance UID of each study, as Orthanc holds them.</summary>
    public Dictionary<string, string[]> Instances { get; } = [];

    public string CtPatientName { get; private set; } = "";

    public const string SecondCtSeriesDescription = "AXIAL LIVER 5MM";

    public async Task InitializeAsync()
    {
        Orthanc = await OrthancPeer.StartAsync(new Dictionary<string, (string, int)> { [CallingAeTitle] = ("127.0.0.1", FreePort.Next()) });
        var ct = DicomFile.Open(CtPath);
        CtStudy = ct.Dataset.GetString(DicomTags.StudyInstanceUID);
        CtPatientName = ct.Dataset.GetString(DicomTags.PatientName);
        var secondCt = Path.Combine(Folder, "CT_small_second.dcm");
        var secondUid = "2.25." + new System.Numerics.BigInteger(Guid.NewGuid().ToByteArray(), isUnsigned: true);
        ct.Dataset.SetUid(DicomTags.SOPInstanceUID, secondUid);
        ct.FileMetaInformation.SetUid(DicomTags.MediaStorageSOPInstanceUID, secondUid);
        // A second series in the CT study, with a description to search by (the corpus files have none).
        ct.Dataset.SetUid(DicomTags.SeriesInstanceUID, "2.25." + new System.Numerics.BigInteger(Guid.NewGuid().ToByteArray(), isUnsigned: true));
        ct.Dataset.SetString(DicomTags.SeriesDescription, DicomVR.LO, SecondCtSeriesDescription);
        ct.Save(secondCt);
        var mrPath = Path.Combine(ArchiveTests.Corpus, "MR_small.dcm");
        var mr = DicomFile.Open(mrPath).Dataset;
        MrStudy = mr.GetString(DicomTags.StudyInstanceUID);
        Instances[CtStudy] = [DicomFile.Open(CtPath).Dataset.GetString(DicomTags.SOPInstanceUID), secondUid];
        Instances[MrStudy] = [mr.GetString(DicomTags.SOPInstanceUID)];
        foreach (var path in new[] { CtPath, secondCt, mrPath })
        {
            using var content = new ByteArrayContent(await File.ReadAllBytesAsync(path));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
            using var response = await Orthanc.Http.PostAsync(new Uri("instances", UriKind.Relative), content);
            Assert.True(response.IsSuccessStatusCode, $"Orthanc refused {path}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Settings of a labeling host that imports from this PACS (or from <paramref name="port"/> where nothing listens).</summary>
    public Dictionary<string, string> Settings(string blobRoot, int? port = null) => new()
    {
        ["Blobs:Root"] = blobRoot,
        ["Pacs:Host"] = "127.0.0.1",
        ["Pacs:Port"] = (port ?? Orthanc.DicomPort).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Pacs:AeTitle"] = Orthanc.AeTitle,
        ["Pacs:CallingAeTitle"] = CallingAeTitle,
        ["Pacs:PseudonymMasterKey"] = "a test master key of some length",
    };

    /// <summary>Settings of a labeling host that retrieves by C-MOVE into its storage SCP (on a port the system picks).</summary>
    public Dictionary<string, string> MoveSettings(string blobRoot, string moveDestination = MoveDestination)
    {
        var settings = Settings(blobRoot);
        settings["Pacs:RetrieveMethod"] = "CMove";
        settings["Pacs:MoveDestinationAeTitle"] = moveDestination;
        settings["Pacs:StorageScpPort"] = "0";
        return settings;
    }

    public async Task DisposeAsync()
    {
        await Orthanc.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}
