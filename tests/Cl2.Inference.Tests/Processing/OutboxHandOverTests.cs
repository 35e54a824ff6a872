using System.Text.Json;
using Cl2.Dicom;
using Cl2.Inference.Tests.Forwarding;
using Cl2.Models.Workloads;

namespace Cl2.Inference.Tests.Processing;

/// <summary>
/// A model run's objects go into the delivery outbox before its result is recorded. Before, the result was recorded
/// first: when the outbox then failed, a second outcome (WORKLOAD_FAILED) followed the recorded result and its objects
/// were never delivered. Now a study whose objects the outbox cannot store yet has no outcome until it can, and then one.
/// </summary>
public sealed class OutboxHandOverTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cl2-outbox-hand-over-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task a_result_the_outbox_cannot_store_yet_is_recorded_once_when_it_can()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var platform = new StudyForwardingTests.Platform();
        var labeling = await platform.StartLabelingAsync(postgres);
        var (study, model) = await SeededModel.CaseAndModelAsync(_root, WorkloadTask.LiverCt);
        var versionId = await ModelServingTests.PromotedVersionAsync(platform, model, "liver", "liver-ct");
        await platform.GraphQLAsync("mutation($input: SaveRoutingRuleInput!) { saveRoutingRule(input: $input) { version } }",
            new { input = new { name = "liver CT", priority = 1, workload = "liver-ct", modelName = "liver", modality = "CT", expectedVersion = 0 } });
        // A file where the outbox keeps its objects: storing any object fails, as on a full or failing disk.
        var objects = Path.Combine(platform.Storage, "delivery", "objects");
        Directory.CreateDirectory(Path.GetDirectoryName(objects)!);
        await File.WriteAllTextAsync(objects, "in the way");
        var inference = await ModelServingTests.StartServingAsync(platform, [.. ModelServingTests.ToTheArchive, ("Inference__Processing__MaxRetryDelay", "00:00:01")]);
        var slices = Directory.GetFiles(Path.Combine(study, "CT"), "*.dcm").Order(StringComparer.Ordinal).ToArray();
        var studyUid = DicomFile.Open(slices[0]).Dataset.GetString(DicomTags.StudyInstanceUID);

        await platform.StoreScuAsync(slices);
        await platform.UntilAsync(async () => inference.Output.Contains("the delivery outbox could not store the result objects", StringComparison.Ordinal)
            || (await OutcomesAsync(platform, studyUid)).GetArrayLength() > 0, "the outbox refusing the objects, or an outcome", inference, labeling);
        Assert.True((await OutcomesAsync(platform, studyUid)).GetArrayLength() == 0,
            $"an outcome was recorded while the outbox could not store the result objects: {await OutcomesAsync(platform, studyUid)}\n{inference.Output}");

        File.Delete(objects);
        var outcome = await ModelServingTests.OutcomeAsync(platform, studyUid, inference, labeling);
        Assert.True(outcome.GetProperty("failure").ValueKind == JsonValueKind.Null, outcome.ToString());
        Assert.Equal(versionId, outcome.GetProperty("versionId").GetString());
        var resultUids = outcome.GetProperty("resultUids").EnumerateArray().Select(uid => uid.GetString()!).ToList();
        Assert.Equal(2, resultUids.Count);
        await platform.UntilAsync(async () =>
        {
            try
            {
                var archived = (await platform.Archive.SearchInstancesAsync(studyUid)).Select(instance => instance.GetString(DicomTags.SOPInstanceUID)).ToHashSet();
                return resultUids.All(archived.Contains);
            }
            catch (Exception notYet) when (notYet is HttpRequestException or Cl2.Dicom.Web.DicomWebException)
            {
                return false;
            }
        }, "the SEG and SR in labeling's archive", inference, labeling);
        Assert.Equal(1, (await OutcomesAsync(platform, studyUid)).GetArrayLength());
    }

    private static async Task<JsonElement> OutcomesAsync(StudyForwardingTests.Platform platform, string study) =>
        (await platform.GraphQLAsync("query($study: String) { inferenceResults(study: $study) { edges { node { failure failureReason versionId } } } }",
            new { study })).GetProperty("inferenceResults").GetProperty("edges");
}
