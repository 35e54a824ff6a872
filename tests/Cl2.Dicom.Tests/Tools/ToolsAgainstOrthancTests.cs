using System.Text.Json;
using Cl2.Dicom;
using Cl2.Dicom.Network;
using Cl2.Dicom.Tools;
using Cl2.Dicom.Tests.Network;

namespace Cl2.Dicom.Tests.Tools;

/// <summary>`./cl2 dicom echo/store/find/move/get` against a real Orthanc, moves landing in `./cl2 dicom scp`.</summary>
public sealed class ToolsAgainstOrthancTests(OrthancWithReceiver pacs) : IClassFixture<OrthancWithReceiver>
{
    [Fact]
    public void echo_tool_gets_success_from_orthanc()
    {
        var (code, output, error) = DicomToolRunner.Run(["echo", "-aet", "CL2SCU", .. pacs.Peer]);

        Assert.True(code == DicomTool.Success, output + error);
    }

    [Fact]
    public async Task store_tool_puts_the_corpus_into_orthanc_which_holds_byte_for_byte_every_instance_not_reported_failed()
    {
        var (_, output, error) = pacs.Store;

        // Orthanc refuses a few odd corpus files (0xC000, 0xA900); the tool must name exactly those, and exit 3.
        var failed = error.Split('\n').Where(l => l.StartsWith("FAILED ", StringComparison.Ordinal)).ToList();
        Assert.Equal(failed.Count == 0 ? DicomTool.Success : DicomTool.PeerFailure, pacs.Store.ExitCode);
        Assert.Contains($"stored {pacs.Sent.Count - failed.Count} of {pacs.Sent.Count}", output, StringComparison.Ordinal);
        Assert.True(failed.Count < pacs.Sent.Count / 10, error);
        foreach (var (uid, path) in pacs.Sent)
        {
            var held = await pacs.StoredDataSetAsync(uid);
            var reported = failed.Any(l => l.StartsWith($"FAILED {path} ", StringComparison.Ordinal));
            Assert.True(reported == held is null, $"{path}: reported failed {reported}, held by Orthanc {held is not null}\n{output}\n{error}");
            if (held is not null)
            {
                var sent = await ToolCorpus.WireBytesAsync(path);
                if (await ToolCorpus.IsDeflatedAsync(path))
                {
                    (sent, held) = (ToolCorpus.Inflate(sent), ToolCorpus.Inflate(held));
                }
                Assert.True(sent.AsSpan().SequenceEqual(held), $"Orthanc holds other bytes for {path}");
            }
        }
    }

    [Fact]
    public async Task find_tool_answers_at_patient_study_series_and_image_level_what_orthanc_holds()
    {
        var held = await HeldAsync();
        var study = LargestStudy(held, explicitLittleEndianOnly: false);
        var first = study[0];

        var patients = Find("-P", "QueryRetrieveLevel=PATIENT", $"PatientID={first.PatientId}", "PatientName");
        var studies = Find("-S", "QueryRetrieveLevel=STUDY", $"StudyInstanceUID={first.Study}", "PatientID");
        var series = Find("-S", "QueryRetrieveLevel=SERIES", $"StudyInstanceUID={first.Study}", "SeriesInstanceUID");
        var images = Find("-S", "QueryRetrieveLevel=IMAGE", $"StudyInstanceUID={first.Study}", $"SeriesInstanceUID={first.Series}", "SOPInstanceUID");

        Assert.Equal([first.PatientId], patients.Select(m => Value(m, DicomTags.PatientID)));
        Assert.Equal([first.PatientId], studies.Select(m => Value(m, DicomTags.PatientID)));
        Assert.Equal(study.Select(i => i.Series).Distinct().Order(), series.Select(m => Value(m, DicomTags.SeriesInstanceUID)).Order());
        Assert.Equal(study.Where(i => i.Series == first.Series).Select(i => i.Uid).Order(), images.Select(m => Value(m, DicomTags.SOPInstanceUID)).Order());
    }

    [Fact]
    public async Task move_tool_has_orthanc_send_a_study_to_the_scp_tool_which_receives_the_data_sets_as_sent()
    {
        var study = LargestStudy(await HeldAsync(), explicitLittleEndianOnly: false);

        var (code, output, error) = DicomToolRunner.Run(["move", "-aem", OrthancWithReceiver.ReceiverAeTitle, "-k", "QueryRetrieveLevel=STUDY",
            "-k", $"StudyInstanceUID={study[0].Study}", .. pacs.Peer]);

        Assert.True(code == DicomTool.Success, output + error);
        Assert.Contains($"completed {study.Count}, failed 0", output, StringComparison.Ordinal);
        await AssertArrivedAsSentAsync(pacs.Receiver.Folder, study);
    }

    [Fact]
    public async Task move_tool_to_a_destination_orthanc_does_not_know_exits_3()
    {
        var study = LargestStudy(await HeldAsync(), explicitLittleEndianOnly: false);

        var (code, output, error) = DicomToolRunner.Run(["move", "-aem", "NOWHERE", "-k", "QueryRetrieveLevel=STUDY",
            "-k", $"StudyInstanceUID={study[0].Study}", .. pacs.Peer]);

        Assert.Equal(DicomTool.PeerFailure, code);
        Assert.Contains("Failure", output + error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task get_tool_retrieves_a_study_from_orthanc_into_a_folder_with_the_data_sets_as_sent()
    {
        var study = LargestStudy(await HeldAsync(), explicitLittleEndianOnly: true);
        var folder = Directory.CreateTempSubdirectory("cl2-get-").FullName;
        try
        {
            var (code, output, error) = DicomToolRunner.Run(["get", "-od", folder, "-k", "QueryRetrieveLevel=STUDY",
                "-k", $"StudyInstanceUID={study[0].Study}", .. pacs.Peer]);

            Assert.True(code == DicomTool.Success, output + error);
            Assert.Equal(study.Count, Directory.GetFiles(folder).Length);
            await AssertArrivedAsSentAsync(folder, study);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed record HeldInstance(string Uid, string Path, string PatientId, string Study, string Series, string TransferSyntax);

    /// <summary>The instances sent that Orthanc took, with the keys the queries use, read from the files with our parser.</summary>
    private async Task<List<HeldInstance>> HeldAsync()
    {
        var held = new List<HeldInstance>();
        foreach (var (uid, path) in pacs.Sent)
        {
            if (await pacs.StoredDataSetAsync(uid) is null)
            {
                continue;
            }
            var file = DicomFile.Open(path);
            held.Add(new HeldInstance(uid, path, file.Dataset.GetStringOrDefault(DicomTags.PatientID, "")!.Trim(),
                file.Dataset.GetString(DicomTags.StudyInstanceUID), file.Dataset.GetString(DicomTags.SeriesInstanceUID), file.TransferSyntax.Uid));
        }
        return held;
    }

    /// <summary>The study with most instances (C-GET proposes only uncompressed syntaxes, so Orthanc would transcode others).</summary>
    private static List<HeldInstance> LargestStudy(List<HeldInstance> held, bool explicitLittleEndianOnly) =>
        held.Where(i => i.PatientId.Length > 0).GroupBy(i => i.Study)
            .Where(g => !explicitLittleEndianOnly || g.All(i => i.TransferSyntax == DicomTransferSyntax.ExplicitVRLittleEndian.Uid))
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().ToList();

    private static async Task AssertArrivedAsSentAsync(string folder, List<HeldInstance> study)
    {
        foreach (var instance in study)
        {
            var arrived = Path.Combine(folder, instance.Uid + ".dcm");
            Assert.True(File.Exists(arrived), $"{instance.Path} did not arrive");
            var (sent, received) = (await ToolCorpus.WireBytesAsync(instance.Path), await Corpus.DataSetBytesAsync(arrived));
            Assert.True(sent.AsSpan().SequenceEqual(received), $"{instance.Path} arrived with other bytes");
        }
    }

    private List<JsonElement> Find(string root, params string[] keys)
    {
        var (code, output, error) = DicomToolRunner.Run(["find", root, "--json", .. keys.SelectMany(k => new[] { "-k", k }), .. pacs.Peer]);
        Assert.True(code == DicomTool.Success, output + error + pacs.Orthanc.Output);
        return JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
    }

    private static string Value(JsonElement match, DicomTag tag) =>
        match.GetProperty($"{tag.Group:X4}{tag.Element:X4}").GetProperty("Value")[0].GetString()!;
}
