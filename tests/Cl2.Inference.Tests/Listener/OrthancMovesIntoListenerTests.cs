using System.Text.Json;
using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Tools;

namespace Cl2.Inference.Tests.Listener;

/// <summary>A PACS (a real Orthanc) that knows the listener as a modality sends it a study on our C-MOVE request.</summary>
public sealed class OrthancMovesIntoListenerTests
{
    private const string OurCallingAeTitle = "CL2SCU";
    private static readonly byte[] DataSetTrailingPaddingTag = [0xFC, 0xFF, 0xFC, 0xFF];

    [Fact]
    public async Task orthanc_moves_a_study_into_the_listener_which_holds_the_data_sets_orthanc_holds()
    {
        await using var listener = ListenerHost.Start();
        // Orthanc answers C-MOVE only to an AE it knows, and sends only to a modality it knows: both are registered.
        await using var orthanc = await OrthancPeer.StartAsync(new Dictionary<string, (string, int)>
        {
            ["CL2"] = ("127.0.0.1", listener.Port),
            [OurCallingAeTitle] = ("127.0.0.1", listener.Port),
        });
        string[] peer = ["-aet", OurCallingAeTitle, "-aec", orthanc.AeTitle, "127.0.0.1", orthanc.DicomPort.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        string[] files = [Corpus.File("CT_small.dcm"), Corpus.File("MR_small.dcm")];
        var stored = DicomToolRunner.Run(["store", .. peer, .. files]);
        Assert.True(stored.ExitCode == DicomTool.Success, stored.Output + stored.Error);

        foreach (var file in files)
        {
            var header = await Part10FileHeader.ReadAsync(file, CancellationToken.None);
            var (_, study) = await OrthancInstanceAsync(orthanc, header.MediaStorageSopInstanceUid);
            var moved = DicomToolRunner.Run(["move", "-aem", "CL2", "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={study}", .. peer]);

            Assert.True(moved.ExitCode == DicomTool.Success, moved.Output + moved.Error);
            var held = await OrthancDataSetAsync(orthanc, header.MediaStorageSopInstanceUid);
            var arrived = listener.StoredDataSet(header.MediaStorageSopInstanceUid);
            // Orthanc keeps a file's Data Set Trailing Padding (FFFC,FFFC) but DCMTK leaves it off the wire (PS3.5 7.8:
            // it carries no information); everything before it must arrive byte for byte.
            var wire = held.AsSpan(arrived.Length).StartsWith(DataSetTrailingPaddingTag) ? held[..arrived.Length] : held;
            Assert.Equal(wire, arrived);
        }
    }

    /// <summary>Orthanc's id of an instance and the study it is in.</summary>
    private static async Task<(string Id, string Study)> OrthancInstanceAsync(OrthancPeer orthanc, string sopInstanceUid)
    {
        using var lookup = await orthanc.Http.PostAsync(new Uri("tools/lookup", UriKind.Relative), new StringContent(sopInstanceUid));
        var found = JsonDocument.Parse(await lookup.Content.ReadAsStringAsync()).RootElement;
        var id = found.EnumerateArray().Single(e => e.GetProperty("Type").GetString() == "Instance").GetProperty("ID").GetString()!;
        var tags = JsonDocument.Parse(await orthanc.Http.GetStringAsync(new Uri($"instances/{id}/simplified-tags", UriKind.Relative))).RootElement;
        return (id, tags.GetProperty("StudyInstanceUID").GetString()!);
    }

    private static async Task<byte[]> OrthancDataSetAsync(OrthancPeer orthanc, string sopInstanceUid)
    {
        var (id, _) = await OrthancInstanceAsync(orthanc, sopInstanceUid);
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, await orthanc.Http.GetByteArrayAsync(new Uri($"instances/{id}/file", UriKind.Relative)));
            return await Corpus.DataSetBytesAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
