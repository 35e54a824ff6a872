using System.Net.Http.Json;
using System.Text.Json;
using Cl2.Dicom;
using Cl2.Dicom.Coding;
using Cl2.Dicom.Segmentation;
using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;

namespace Cl2.EndToEnd.Serving;

/// <summary>
/// Each workload end to end, as a hospital runs it: a model trained by the project (small), registered and promoted
/// through GraphQL, a routing rule sending the study's modality to it; Orthanc, the PACS, sends the study to CL2 by
/// C-STORE, and the SEG and SR come back into Orthanc. What Orthanc then holds is checked with peers: dciodvfy, pydicom,
/// the phantom's ground truth.
/// </summary>
public sealed class WorkloadsThroughPacsTests(ServingFixture serving) : IClassFixture<ServingFixture>
{
    /// <summary>How far the delivered mask's Dice may lie from the version's validation Dice (the issue's bound).</summary>
    private const double DiceTolerance = 0.02;

    [Fact]
    public async Task a_liver_ct_study_from_the_pacs_comes_back_segmented_as_well_as_the_version_validated() =>
        await AssertSegmentedAsync(SmallModel.Train(WorkloadTask.LiverCt, serving.Work, cases: 16, validation: 1, size: 16, epochs: 12), "CT", "CT", "dice_liver");

    [Fact]
    public async Task a_brain_mri_study_from_the_pacs_comes_back_segmented_as_well_as_the_version_validated() =>
        await AssertSegmentedAsync(SmallModel.Train(WorkloadTask.BrainMri, serving.Work, cases: 16, validation: 1, size: 16, epochs: 12), "MR", "T1", "dice_wt");

    [Fact]
    public async Task a_hip_radiograph_from_the_pacs_comes_back_with_the_phantoms_fracture_finding()
    {
        var model = SmallModel.Train(WorkloadTask.HipXray, serving.Work, cases: 128, validation: 2, size: 64, epochs: 8);
        var versionId = await ServeAsync(model, "DX");

        var correct = 0;
        var findings = new List<string>();
        foreach (var item in model.ValidationCases)
        {
            var (outcome, results) = await SendAndWaitAsync(model, item, expectedResults: 1);
            Assert.Equal(versionId, outcome.GetProperty("versionId").GetString());
            var report = Assert.Single(results);
            Assert.Equal(("SR", item.StudyInstanceUid), (report.Modality, report.StudyInstanceUid));
            var path = DeliveredResults.Save(report, serving.Work);
            await DeliveredResults.AssertNoDciodvfyErrorsAsync(path, "EnhancedSR");
            await DeliveredResults.AssertDcmdumpReadsWithoutWarningsAsync(path);
            var items = await DeliveredResults.ReportItemsByPydicomAsync(path);
            var finding = Assert.Single(items, line => line.StartsWith(CodedConcepts.FractureOfNeckOfFemur.Meaning + "=", StringComparison.Ordinal));
            var present = finding.EndsWith("=" + CodedConcepts.Present.Value, StringComparison.Ordinal);
            correct += present == item.Fracture ? 1 : 0;
            findings.Add($"{item.Id}: reported {(present ? "present" : "absent")}, phantom {(item.Fracture == true ? "fractured" : "intact")}");
        }
        // Served as validated: as many right as the version's validation accuracy on these same radiographs. (Whether the
        // small model is right on each is a question of training, not of serving; the findings are in the message.)
        Assert.True(Math.Abs(model.Metrics["accuracy"] - ((double)correct / model.ValidationCases.Count)) < 1e-6,
            $"validation accuracy {model.Metrics["accuracy"]}, served: {string.Join("; ", findings)}");
    }

    /// <param name="sourceRole">The series the SEG is made on: the workload's first input channel.</param>
    private async Task AssertSegmentedAsync(SmallModel model, string modality, string sourceRole, string validationMetric)
    {
        var versionId = await ServeAsync(model, modality);
        var item = Assert.Single(model.ValidationCases);
        var (outcome, results) = await SendAndWaitAsync(model, item, expectedResults: 2);

        Assert.Equal(versionId, outcome.GetProperty("versionId").GetString());
        Assert.Equal(outcome.GetProperty("resultUids").EnumerateArray().Select(uid => uid.GetString()!).Order(), results.Select(result => result.SopInstanceUid).Order());
        var seg = Assert.Single(results, result => result.Modality == "SEG");
        var sr = Assert.Single(results, result => result.Modality == "SR");
        Assert.All(results, result => Assert.Equal(item.StudyInstanceUid, result.StudyInstanceUid));
        var sources = model.SeriesFiles(item, sourceRole).Select(path => DicomFile.Open(path).Dataset).ToList();
        var segDataset = DicomFile.Open(new MemoryStream(seg.Bytes)).Dataset;
        var referenced = segDataset.GetSequence(DicomTags.ReferencedSeriesSequence).Items.Single();
        Assert.Equal(sources[0].GetString(DicomTags.SeriesInstanceUID), referenced.GetString(DicomTags.SeriesInstanceUID));

        var segPath = DeliveredResults.Save(seg, serving.Work);
        var srPath = DeliveredResults.Save(sr, serving.Work);
        await DeliveredResults.AssertNoDciodvfyErrorsAsync(segPath, "Segmentation");
        await DeliveredResults.AssertNoDciodvfyErrorsAsync(srPath, "EnhancedSR");
        await DeliveredResults.AssertDcmdumpReadsWithoutWarningsAsync(segPath);
        await DeliveredResults.AssertDcmdumpReadsWithoutWarningsAsync(srPath);
        var read = SegmentationReader.Read(segDataset, sources);
        Assert.Equal(DeliveredResults.Frames(read), await DeliveredResults.FramesByPydicomAsync(segPath));

        var dice = DeliveredResults.DiceOfAllSegments(read, model.GroundTruthClasses(item));
        var validated = model.Metrics[validationMetric];
        Assert.True(Math.Abs(dice - validated) <= DiceTolerance, $"delivered Dice {dice:F4}, the version's {validationMetric} {validated:F4}");
    }

    /// <summary>The model registered under the workload's name with its validation metrics, promoted, and routed to by modality; the version's id.</summary>
    private async Task<string> ServeAsync(SmallModel model, string modality)
    {
        var platform = serving.Platform;
        var name = model.Task.Name();
        var modelId = await platform.RegisterModelAsync(name, name);
        var versionId = await platform.RegisterVersionAsync(modelId, model.Folder, model.Metrics);
        await platform.PromoteAsync(modelId, versionId);
        await platform.SaveRoutingRuleAsync(name, name, name, modality);
        return versionId;
    }

    /// <summary>The case's study put into Orthanc and sent to CL2 by Orthanc; returns the one recorded outcome and the
    /// result objects Orthanc holds once <paramref name="expectedResults"/> of them arrived.</summary>
    private async Task<(JsonElement Outcome, IReadOnlyList<DeliveredInstance> Results)> SendAndWaitAsync(SmallModel model, CohortCase item, int expectedResults)
    {
        var platform = serving.Platform;
        var files = model.StudyFiles(item);
        var study = Assert.Single(await platform.UploadToPacsAsync(files));
        await platform.SendFromPacsAsync(study);

        await DeliveredResults.UntilDeliveredAndRecordedAsync(platform, item.StudyInstanceUid, expectedResults, $"{model.Task.Name()}'s results in Orthanc and its outcome",
            TimeSpan.FromMinutes(2));
        var outcomes = await platform.OutcomesAsync(item.StudyInstanceUid);
        Assert.Equal(1, outcomes.GetProperty("totalCount").GetInt32());
        var outcome = outcomes.GetProperty("edges")[0].GetProperty("node");
        Assert.True(outcome.GetProperty("failure").ValueKind == JsonValueKind.Null, outcome.ToString());
        var results = await platform.ResultsInPacsAsync(item.StudyInstanceUid);
        Assert.Equal(expectedResults, results.Count);
        // The study in the PACS: its own instances and the results, nothing twice.
        Assert.Equal(files.Count + expectedResults, await InstancesInPacsAsync(study));
        return (outcome, results);
    }

    private async Task<int> InstancesInPacsAsync(string orthancStudyId) =>
        (await serving.Platform.Orthanc.Http.GetFromJsonAsync<JsonElement>(new Uri($"studies/{orthancStudyId}/instances", UriKind.Relative))).GetArrayLength();
}
