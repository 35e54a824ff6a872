using Cl2.Dicom;
using Cl2.Inference.Delivery;

namespace Cl2.Inference.Tests.Delivery;

/// <summary>
/// No XNAT server runs here: DCMTK's storescp stands in for XNAT's DICOM receiver, and the test reads what XNAT would
/// file by, the routing text in the stored object or the AE title it was called by.
/// </summary>
public sealed class XnatRoutingTests
{
    private const string Study = "1.2.826.0.1.3680043.10.1.2";

    private static DeliveryDestinationOptions Xnat(int port, XnatCommentsAttribute comments, Dictionary<string, string>? projectAeTitles = null) => new()
    {
        Name = "XNAT",
        Kind = DeliveryKind.Xnat,
        Host = "127.0.0.1",
        Port = port,
        CalledAeTitle = "XNAT",
        CommentsAttribute = comments,
        ProjectTemplate = "CL2RESEARCH",
        SubjectTemplate = "{PatientID}",
        SessionTemplate = "{AccessionNumber}",
        ProjectAeTitles = projectAeTitles ?? [],
    };

    [Fact]
    public async Task an_object_for_xnat_carries_project_subject_and_session_in_patient_comments()
    {
        await using var receiver = await StoreScpProcess.StartAsync();
        await using var platform = new DeliveryPlatform(Xnat(receiver.Port, XnatCommentsAttribute.PatientComments));
        var sent = await platform.ResultObjectAsync("CT_small.dcm", Study, Study + ".1", "(0010,0020)=PAT-7", "(0008,0050)=ACC 42");
        await platform.EnqueueAsync(Guid.NewGuid(), Study, "STORESCU", sent.Path);

        var inference = await platform.StartInferenceAsync();
        await platform.UntilAsync(() => Task.FromResult(Directory.EnumerateFiles(receiver.Folder).Any()), "the object at the receiver", inference);
        await platform.UntilAsync(async () => (await platform.OutboxAsync()).Values.SingleOrDefault() == "sent-not-recorded", "the send finished", inference);

        var stored = DicomFile.Open(Assert.Single(Directory.EnumerateFiles(receiver.Folder)));
        Assert.Equal("Project: CL2RESEARCH Subject: PAT-7 Session: ACC_42", stored.Dataset.GetString(DicomTags.PatientComments));
        Assert.Equal(sent.SopInstanceUid, stored.Dataset.GetString(DicomTags.SOPInstanceUID));
    }

    [Fact]
    public async Task an_object_for_a_mapped_project_arrives_at_that_projects_called_ae_title_unchanged()
    {
        var calledBy = Path.Combine(Path.GetTempPath(), "cl2-xnat-called-" + Guid.NewGuid().ToString("N"));
        await using var receiver = await StoreScpProcess.StartAsync("+xa", "--exec-on-reception", $"echo #c >> {calledBy}");
        await using var platform = new DeliveryPlatform(Xnat(receiver.Port, XnatCommentsAttribute.None, new() { ["CL2RESEARCH"] = "XNAT_CL2" }));
        var sent = await platform.ResultObjectAsync("CT_small.dcm", Study, Study + ".2", "(0010,0020)=PAT-7", "(0008,0050)=ACC42");
        await platform.EnqueueAsync(Guid.NewGuid(), Study, "STORESCU", sent.Path);

        var inference = await platform.StartInferenceAsync();
        await platform.UntilAsync(() => Task.FromResult(File.Exists(calledBy) && File.ReadAllText(calledBy).Trim().Length > 0), "the receiver's report of the called AE", inference);

        Assert.Equal("XNAT_CL2", File.ReadAllText(calledBy).Trim());
        Assert.Equal(await Corpus.DataSetBytesAsync(sent.Path), await Corpus.DataSetBytesAsync(Assert.Single(Directory.EnumerateFiles(receiver.Folder))));
        File.Delete(calledBy);
    }
}
