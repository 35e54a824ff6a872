using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Cl2.Dicom;
using Cl2.Dicom.Segmentation;
using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;

namespace Cl2.EndToEnd;

/// <summary>A study whose result a radiologist accepted trains the next version: the worker reads the result's SEG from
/// labeling's archive as the case's label and weighs it as Training:Feedback:AcceptedLabelWeight says.</summary>
public sealed partial class TrainingWorkerTests
{
    [Fact]
    public async Task an_accepted_result_is_trained_on_with_the_configured_weight_named_in_the_versions_lineage()
    {
        await using var loop = await LoopAsync("cl2-loop-accepted-", feedbackStudies: 1);
        var http = loop.Http;
        var modelId = await RegisterLoopModelAsync(http, "liver-accepted");
        var seen = await RegisterStandInVersionAsync(http, modelId);
        var (study, _, _) = loop.FeedbackStudies[0];
        var segmentationUid = await StoreModelOutputAsync(loop, LoopDatasetCases);
        var resultId = (await LabelingHttp.GraphQLAsync(http, "mutation($input: RecordInferenceResultInput!) { recordInferenceResult(input: $input) { id } }",
                new { input = new { studyInstanceUid = study, modelVersionId = seen, pipeline = "liver-ct", resultUids = new[] { segmentationUid }, durationMs = 5.0 } }))
            .GetProperty("recordInferenceResult").GetProperty("id").GetString()!;
        var feedbackId = (await LabelingHttp.GraphQLAsync(http, "mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }",
                new { input = new { inferenceResultId = resultId, verdict = "ACCEPT" } }))
            .GetProperty("giveFeedback").GetProperty("id").GetString()!;
        var jobId = await RequestLoopJobAsync(http, modelId, loop.DatasetId, baseVersionId: null, new { epochs = 1, spacingMm = Liver16Grid });

        await using var worker = await StartWorkerAsync("worker-accepted", loop.LabelingUrl, loop.State,
            new Dictionary<string, string> { ["Training__Feedback__AcceptedLabelWeight"] = "0.5" });
        var versionId = (await WaitForVersionAsync(http, worker, jobId)).GetProperty("id").GetString()!;

        var lineage = (await LabelingHttp.GraphQLAsync(http, "query($id: ID!) { modelVersion(id: $id) { lineage { labelRevisionIds feedbackIds acceptedResults { feedbackId inferenceResultId weight } } } }",
            new { id = versionId })).GetProperty("modelVersion").GetProperty("lineage");
        var accepted = Assert.Single(lineage.GetProperty("acceptedResults").EnumerateArray());
        Assert.Equal((feedbackId, resultId, 0.5),
            (accepted.GetProperty("feedbackId").GetString(), accepted.GetProperty("inferenceResultId").GetString(), accepted.GetProperty("weight").GetDouble()));
        // The accepted result is no label revision and no correction: those lists name the annotators' labels only.
        Assert.Equal(loop.Train.Concat(loop.Validation).Select(caseId => loop.Revisions[caseId]).Order().ToList(), Ids(lineage.GetProperty("labelRevisionIds")));
        Assert.Empty(lineage.GetProperty("feedbackIds").EnumerateArray());
        Assert.Contains("1 accepted result", worker.Output, StringComparison.Ordinal);
        Directory.Delete(loop.State, recursive: true);
    }

    /// <summary>Stores in labeling's archive, as the model's output on cohort case <paramref name="index"/>, a SEG of the
    /// phantom's liver and lesion (what an inference Archive delivery stores); its SOP Instance UID.</summary>
    private static async Task<string> StoreModelOutputAsync(Loop loop, int index)
    {
        var cohort = Path.Combine(loop.State, "cohort");
        var item = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(cohort, "cohort.json")))!["cases"]!.AsArray()[index]!;
        var sources = Directory.GetFiles(Path.Combine(cohort, item["series"]!["CT"]!.GetValue<string>()), "*.dcm").Order(StringComparer.Ordinal)
            .Select(path => DicomFile.Open(path).Dataset).ToList();
        var (_, truth) = LabelVolume.Read(Path.Combine(cohort, item["labels"]!.GetValue<string>()));
        var uid = $"2.25.{BitConverter.ToUInt64(Guid.NewGuid().ToByteArray()):D}";
        var segmentation = SegmentationWriter.Write(new SegmentationContent
        {
            SourceImages = sources,
            Segments = [.. WorkloadRegistry.For(WorkloadTask.LiverCt).Segments.Select(segment => new SegmentMask(
                new SegmentDescription(segment.Label, segment.Name, segment.Property), [.. truth.Select(value => value == segment.Label ? (byte)1 : (byte)0)]))],
            SopInstanceUid = uid,
            SeriesInstanceUid = uid + ".1",
            SeriesNumber = 1001,
            ContentDateTime = DateTimeOffset.UtcNow,
            AlgorithmName = "cl2 liver-ct",
            AlgorithmVersion = "stand-in",
            SoftwareVersions = "e2e",
        });
        using var content = new MultipartContent("related", "cl2-e2e-" + Guid.NewGuid().ToString("N"));
        content.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom\""));
        using var bytes = new MemoryStream();
        segmentation.Save(bytes);
        var part = new ByteArrayContent(bytes.ToArray());
        part.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
        content.Add(part);
        using var response = await loop.Http.PostAsync("dicomweb/studies", content);
        Assert.True(response.IsSuccessStatusCode, $"STOW of the SEG answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return uid;
    }
}
