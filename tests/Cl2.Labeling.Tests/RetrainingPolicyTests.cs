using System.Text.Json.Nodes;

namespace Cl2.Labeling.Tests;

public sealed class RetrainingPolicyTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private static readonly string Digest = LabelingApi.DigestOf("corrected mask");

    public async Task InitializeAsync()
    {
        await api.ResetAsync();
        await api.StoreBlobAsync("corrected mask");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string Id(JsonNode node, string field) => node[field]!["id"]!.GetValue<string>();

    private async Task<(string ModelId, string VersionId, string DatasetId)> ProductionModelAsync()
    {
        var modelId = Id(await api.RunAsync("""mutation { registerModel(input: { name: "liver", task: "liver-ct" }) { id } }"""), "registerModel");
        var versionId = Id(await api.RunAsync("mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }",
            new { input = new { modelId, metrics = Array.Empty<object>(), artifactDigest = Digest, dataDigest = Digest, codeVersion = "git:1" } }),
            "registerModelVersion");
        await api.RunAsync("mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { id } }",
            new { input = new { modelId, versionId, expectedVersion = 2 } });
        var datasetId = Id(await api.RunAsync("""mutation { createDataset(input: { name: "liver-feedback" }) { id } }"""), "createDataset");
        return (modelId, versionId, datasetId);
    }

    private Task<JsonNode> SetPolicyAsync(string modelId, string datasetId, int? newLabelThreshold, int? scheduleMinutes = null) => api.RunAsync("""
        mutation($input: SetRetrainingPolicyInput!) {
          setRetrainingPolicy(input: $input) { newLabelThreshold scheduleMinutes lastJobId changes { newLabelThreshold setBy setAt } }
        }
        """, new { input = new { modelId, datasetId, newLabelThreshold, scheduleMinutes } });

    /// <summary>A radiologist corrects the model's result on a new study: the corrected label, then the feedback naming it.</summary>
    private async Task CorrectAsync(string versionId, string datasetId, string study)
    {
        var resultId = Id(await api.RunAsync("mutation($input: RecordInferenceResultInput!) { recordInferenceResult(input: $input) { id } }",
            new { input = new { studyInstanceUid = study, modelVersionId = versionId, pipeline = "liver-seg", resultUids = new[] { study + ".9" }, durationMs = 10.0 } }),
            "recordInferenceResult");
        await ArchivedStudies.StoreAsync(api.Client, study);
        var caseId = (await api.RunAsync("mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
            new { input = new { datasetId, studyInstanceUids = new[] { study } } }))["addCases"]![0]!["id"]!.GetValue<string>();
        var revisionId = Id(await api.RunAsync("mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id } }",
            new { input = new { caseId, baseRevision = 0, kind = "SEGMENTATION", blobDigest = Digest } }), "submitLabel");
        await api.RunAsync("mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }",
            new { input = new { inferenceResultId = resultId, verdict = "CORRECT", correctedLabelRevisionId = revisionId } });
    }

    /// <summary>A result on a study labeling's archive does not hold, and a corrected label of it (the verdict not given yet).</summary>
    private async Task<(string ResultId, string RevisionId)> CorrectionNotArchivedAsync(string versionId, string study)
    {
        var resultId = Id(await api.RunAsync("mutation($input: RecordInferenceResultInput!) { recordInferenceResult(input: $input) { id } }",
            new { input = new { studyInstanceUid = study, modelVersionId = versionId, pipeline = "liver-seg", resultUids = new[] { study + ".9" }, durationMs = 10.0 } }),
            "recordInferenceResult");
        var caseId = Id(await api.RunAsync("mutation($input: OpenCorrectionCaseInput!) { openCorrectionCase(input: $input) { id } }",
            new { input = new { inferenceResultId = resultId } }), "openCorrectionCase");
        var revisionId = Id(await api.RunAsync("mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id } }",
            new { input = new { caseId, baseRevision = 0, kind = "SEGMENTATION", blobDigest = Digest } }), "submitLabel");
        return (resultId, revisionId);
    }

    private async Task<JsonArray> JobsAsync(string modelId) =>
        (await api.RunAsync("""
            query($model: ID) { trainingJobs(model: $model, first: 50) { edges { node { id status trigger baseVersionId dataCut requestedBy } } } }
            """, new { model = modelId }))["trainingJobs"]!["edges"]!.AsArray();

    [Fact]
    public async Task n_corrections_trigger_exactly_one_training_job()
    {
        var (modelId, versionId, datasetId) = await ProductionModelAsync();
        await SetPolicyAsync(modelId, datasetId, newLabelThreshold: 3);

        await CorrectAsync(versionId, datasetId, "1.2.70.1");
        await CorrectAsync(versionId, datasetId, "1.2.70.2");
        Assert.Empty(await JobsAsync(modelId));
        // The third and more arrive at once: the threshold is crossed by several callers together, and still one job is asked for.
        await Task.WhenAll(Enumerable.Range(3, 6).Select(index => CorrectAsync(versionId, datasetId, $"1.2.70.{index}")));

        var job = Assert.Single(await JobsAsync(modelId))!["node"]!;
        Assert.Equal("REQUESTED", job["status"]!.GetValue<string>());
        Assert.Equal("retraining-policy", job["requestedBy"]!.GetValue<string>());
        Assert.StartsWith("retraining policy: ", job["trigger"]!.GetValue<string>());
        var policy = (await api.RunAsync("query($model: ID!) { retrainingPolicy(model: $model) { lastJobId lastDataCut } }", new { model = modelId }))
            ["retrainingPolicy"]!;
        Assert.Equal(job["id"]!.GetValue<string>(), policy["lastJobId"]!.GetValue<string>());
        Assert.Equal(job["dataCut"]!.GetValue<long>(), policy["lastDataCut"]!.GetValue<long>());
    }

    [Fact]
    public async Task a_triggered_job_fine_tunes_from_the_production_version()
    {
        var (modelId, versionId, datasetId) = await ProductionModelAsync();
        await SetPolicyAsync(modelId, datasetId, newLabelThreshold: 1);

        await CorrectAsync(versionId, datasetId, "1.2.71.1");

        var job = Assert.Single(await JobsAsync(modelId))!["node"]!;
        Assert.Equal(versionId, job["baseVersionId"]!.GetValue<string>());
        Assert.True(job["dataCut"]!.GetValue<long>() > 0);
    }

    [Fact]
    public async Task no_second_job_is_requested_while_the_policys_job_is_pending()
    {
        var (modelId, versionId, datasetId) = await ProductionModelAsync();
        await SetPolicyAsync(modelId, datasetId, newLabelThreshold: 1);
        await CorrectAsync(versionId, datasetId, "1.2.72.1");

        await CorrectAsync(versionId, datasetId, "1.2.72.2");
        await CorrectAsync(versionId, datasetId, "1.2.72.3");

        Assert.Single(await JobsAsync(modelId));
    }

    [Fact]
    public async Task after_the_policys_job_finished_new_corrections_are_counted_from_its_data_cut()
    {
        var (modelId, versionId, datasetId) = await ProductionModelAsync();
        await SetPolicyAsync(modelId, datasetId, newLabelThreshold: 2);
        await CorrectAsync(versionId, datasetId, "1.2.73.1");
        await CorrectAsync(versionId, datasetId, "1.2.73.2");
        var first = Assert.Single(await JobsAsync(modelId))!["node"]!["id"]!.GetValue<string>();
        var claimed = await api.RunAsync("""mutation { claimTrainingJob(input: { worker: "w1", device: "cpu" }) { id attempt } }""");
        await api.RunAsync("mutation($input: CompleteTrainingJobInput!) { completeTrainingJob(input: $input) { status } }",
            new { input = new { jobId = first, attempt = claimed["claimTrainingJob"]!["attempt"]!.GetValue<int>(), outcome = "FAILED", failureReason = "out of memory" } });

        await CorrectAsync(versionId, datasetId, "1.2.73.3");
        Assert.Single(await JobsAsync(modelId));
        await CorrectAsync(versionId, datasetId, "1.2.73.4");

        Assert.Equal(2, (await JobsAsync(modelId)).Count);
    }

    [Fact]
    public async Task a_correction_on_a_study_not_yet_archived_triggers_once_the_archive_holds_it()
    {
        // A second host on the same database whose periodic check runs every second: it is what counts the correction
        // once its study is stored (no approval or correction comes after it to check the policy).
        await using var checker = new LabelingHost(api.Postgres, settings: new Dictionary<string, string> { ["Retraining:CheckIntervalSeconds"] = "1" });
        using var checkerClient = checker.CreateClient();
        var (modelId, versionId, datasetId) = await ProductionModelAsync();
        await SetPolicyAsync(modelId, datasetId, newLabelThreshold: 1);
        const string study = "1.2.74.1";
        // The radiologist corrects the result before inference forwarded the study to labeling's archive.
        var (resultId, revisionId) = await CorrectionNotArchivedAsync(versionId, study);
        await api.RunAsync("mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }",
            new { input = new { inferenceResultId = resultId, verdict = "CORRECT", correctedLabelRevisionId = revisionId } });

        Assert.Empty(await JobsAsync(modelId));
        // Setting the policy checks it at once too: still nothing, the archive does not hold the study.
        await SetPolicyAsync(modelId, datasetId, newLabelThreshold: 1);
        Assert.Empty(await JobsAsync(modelId));

        await ArchivedStudies.StoreAsync(checkerClient, [study]);
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while ((await JobsAsync(modelId)).Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        var job = Assert.Single(await JobsAsync(modelId))!["node"]!;
        Assert.Contains("1 new approved labels or corrections", job["trigger"]!.GetValue<string>());
        // Checks after the request (the policy set again, the periodic ones) ask for nothing more.
        await SetPolicyAsync(modelId, datasetId, newLabelThreshold: 1);
        Assert.Single(await JobsAsync(modelId));
    }

    [Fact]
    public async Task with_count_corrections_when_archived_off_a_correction_counts_before_its_study_is_archived()
    {
        await using var host = new LabelingHost(api.Postgres, settings: new Dictionary<string, string> { ["Retraining:CountCorrectionsWhenArchived"] = "false" });
        using var client = host.CreateClient();
        var (modelId, versionId, datasetId) = await ProductionModelAsync();
        await SetPolicyAsync(modelId, datasetId, newLabelThreshold: 1);
        var (resultId, revisionId) = await CorrectionNotArchivedAsync(versionId, "1.2.75.1");

        // The correction goes through the host that counts every correction at once: its check after the verdict requests the job.
        var given = await LabelingApi.PostAsync(client, "mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }",
            new { input = new { inferenceResultId = resultId, verdict = "CORRECT", correctedLabelRevisionId = revisionId } });

        Assert.True(given.Errors is null, given.Body);
        Assert.Single(await JobsAsync(modelId));
    }

    [Fact]
    public async Task each_change_of_the_policy_is_recorded_with_who_made_it_and_when()
    {
        var (modelId, _, datasetId) = await ProductionModelAsync();
        var before = DateTimeOffset.UtcNow;

        await SetPolicyAsync(modelId, datasetId, newLabelThreshold: 10);
        await api.RunAsAsync(("ml-ana", "ml-engineer"), """
            mutation($input: SetRetrainingPolicyInput!) { setRetrainingPolicy(input: $input) { newLabelThreshold } }
            """, new { input = new { modelId, datasetId, newLabelThreshold = 5, scheduleMinutes = 1440 } });

        var policy = (await api.RunAsync("""
            query($model: ID!) { retrainingPolicy(model: $model) { newLabelThreshold scheduleMinutes changes { newLabelThreshold scheduleMinutes setBy setAt } } }
            """, new { model = modelId }))["retrainingPolicy"]!;
        Assert.Equal((5, 1440), (policy["newLabelThreshold"]!.GetValue<int>(), policy["scheduleMinutes"]!.GetValue<int>()));
        var changes = policy["changes"]!.AsArray();
        Assert.Equal(["tester", "ml-ana"], changes.Select(change => change!["setBy"]!.GetValue<string>()));
        Assert.Equal([10, 5], changes.Select(change => change!["newLabelThreshold"]!.GetValue<int>()));
        Assert.All(changes, change => Assert.True(DateTimeOffset.Parse(change!["setAt"]!.GetValue<string>()) >= before));
    }

    [Fact]
    public async Task an_annotator_cannot_change_a_retraining_policy()
    {
        var (modelId, _, datasetId) = await ProductionModelAsync();

        var refused = await api.PostAsAsync(("ann", "annotator"), """
            mutation($input: SetRetrainingPolicyInput!) { setRetrainingPolicy(input: $input) { newLabelThreshold } }
            """, new { input = new { modelId, datasetId, newLabelThreshold = 5 } });

        Assert.Equal("FORBIDDEN", refused.FirstErrorCode);
    }
}
