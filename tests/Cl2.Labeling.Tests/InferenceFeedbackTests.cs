using System.Text.Json.Nodes;
using Cl2.Labeling.Inference;
using Microsoft.Extensions.DependencyInjection;

namespace Cl2.Labeling.Tests;

public sealed class InferenceFeedbackTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private static readonly string Digest = LabelingApi.DigestOf("corrected mask");

    public async Task InitializeAsync()
    {
        await api.ResetAsync();
        await api.StoreBlobAsync("corrected mask");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string Id(JsonNode node, string field) => node[field]!["id"]!.GetValue<string>();

    private async Task<(string ModelId, string VersionId)> ModelVersionAsync(string name, object? lineage = null)
    {
        var modelId = Id(await api.RunAsync("mutation($name: String!) { registerModel(input: { name: $name, task: \"liver-ct\" }) { id } }", new { name }), "registerModel");
        var versionId = Id(await api.RunAsync("mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }",
            new { input = new { modelId, metrics = Array.Empty<object>(), artifactDigest = Digest, dataDigest = Digest, codeVersion = "git:1" } }), "registerModelVersion");
        return (modelId, versionId);
    }

    private async Task<string> InferAsync(string study, string versionId) =>
        Id(await api.RunAsync("mutation($input: RecordInferenceResultInput!) { recordInferenceResult(input: $input) { id } }",
            new { input = new { studyInstanceUid = study, modelVersionId = versionId, pipeline = "brain-seg", resultUids = new[] { study + ".9" }, durationMs = 950.0 } }),
            "recordInferenceResult");

    private async Task<string> CorrectionAsync(string study)
    {
        var dataset = Id(await api.RunAsync("""mutation { createDataset(input: { name: "corrections" }) { id } }"""), "createDataset");
        await ArchivedStudies.StoreAsync(api.Client, study);
        var caseId = (await api.RunAsync("mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
            new { input = new { datasetId = dataset, studyInstanceUids = new[] { study } } }))["addCases"]![0]!["id"]!.GetValue<string>();
        return Id(await api.RunAsync("mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id } }",
            new { input = new { caseId, baseRevision = 0, kind = "SEGMENTATION", blobDigest = Digest } }), "submitLabel");
    }

    private async Task<string> FeedbackAsync(string resultId, string verdict, string? correctedLabelRevisionId = null) =>
        Id(await api.RunAsync("mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }",
            new { input = new { inferenceResultId = resultId, verdict, comment = "seen", correctedLabelRevisionId } }), "giveFeedback");

    [Fact]
    public async Task a_result_keeps_every_delivery_attempt_until_it_is_delivered_or_dead_lettered()
    {
        var (_, versionId) = await ModelVersionAsync("deliverer");
        var received = await api.RunAsync("mutation { recordStudyReceived(input: { studyInstanceUid: \"1.2.3.4\", callingAeTitle: \"CT_SCANNER\", instanceCount: 120 }) { id instanceCount } }");
        Assert.Equal(120, received["recordStudyReceived"]!["instanceCount"]!.GetValue<int>());
        var resultId = await InferAsync("1.2.3.4", versionId);

        const string Record = "mutation($input: RecordDeliveryInput!) { recordDelivery(input: $input) { deliveries { destination status attempts lastError } } }";
        await api.RunAsync(Record, new { input = new { inferenceResultId = resultId, destination = "PACS", outcome = "FAILED", error = "association rejected" } });
        await api.RunAsync(Record, new { input = new { inferenceResultId = resultId, destination = "XNAT", outcome = "FAILED", error = "HTTP 503" } });
        await api.RunAsync(Record, new { input = new { inferenceResultId = resultId, destination = "PACS", outcome = "SUCCEEDED" } });
        var last = await api.RunAsync(Record, new { input = new { inferenceResultId = resultId, destination = "XNAT", outcome = "DEAD_LETTERED", error = "gave up after 1 attempt" } });
        var deliveries = last["recordDelivery"]!["deliveries"]!.AsArray().ToDictionary(delivery => delivery!["destination"]!.GetValue<string>());
        Assert.Equal(("DELIVERED", 2), (deliveries["PACS"]!["status"]!.GetValue<string>(), deliveries["PACS"]!["attempts"]!.GetValue<int>()));
        Assert.Equal("DEAD_LETTERED", deliveries["XNAT"]!["status"]!.GetValue<string>());
        var refused = await api.PostAsync(Record, new { input = new { inferenceResultId = resultId, destination = "PACS", outcome = "FAILED", error = "again" } });
        Assert.Equal("DELIVERY_FINISHED", refused.FirstErrorCode);

        var byStudy = await api.RunAsync("""
            query { inferenceResults(study: "1.2.3.4") { totalCount edges { node { id pipeline resultUids modelVersion { number } } } }
                    receivedStudies(study: "1.2.3.4") { callingAeTitle } }
            """);
        Assert.Equal(1, byStudy["inferenceResults"]!["totalCount"]!.GetValue<int>());
        Assert.Equal(resultId, byStudy["inferenceResults"]!["edges"]![0]!["node"]!["id"]!.GetValue<string>());
        Assert.Equal("CT_SCANNER", byStudy["receivedStudies"]![0]!["callingAeTitle"]!.GetValue<string>());
    }

    [Fact]
    public async Task the_studies_the_listener_received_are_listed_newest_first_without_naming_one()
    {
        const string Record = "mutation($input: RecordStudyReceivedInput!) { recordStudyReceived(input: $input) { id } }";
        foreach (var study in new[] { "1.2.50.1", "1.2.50.2", "1.2.50.3" })
        {
            await api.RunAsync(Record, new { input = new { studyInstanceUid = study, callingAeTitle = "CT1", instanceCount = 1 } });
        }

        var first = (await api.RunAsync("query { recentlyReceivedStudies(first: 2) { totalCount pageInfo { endCursor } edges { node { studyInstanceUid } } } }"))
            ["recentlyReceivedStudies"]!;
        var rest = (await api.RunAsync("query($after: String) { recentlyReceivedStudies(first: 2, after: $after) { edges { node { studyInstanceUid } } } }",
            new { after = first["pageInfo"]!["endCursor"]!.GetValue<string>() }))["recentlyReceivedStudies"]!;

        Assert.Equal(3, first["totalCount"]!.GetValue<int>());
        Assert.Equal(["1.2.50.3", "1.2.50.2", "1.2.50.1"],
            first["edges"]!.AsArray().Concat(rest["edges"]!.AsArray()).Select(edge => edge!["node"]!["studyInstanceUid"]!.GetValue<string>()));
    }

    [Fact]
    public async Task a_study_reported_again_or_concurrently_is_one_fact_whose_count_only_grows()
    {
        const string Record = "mutation($input: RecordStudyReceivedInput!) { recordStudyReceived(input: $input) { id instanceCount } }";
        var reports = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            api.RunAsync(Record, new { input = new { studyInstanceUid = "1.2.40", callingAeTitle = "CT1", instanceCount = 3 } })));
        await api.RunAsync(Record, new { input = new { studyInstanceUid = "1.2.40", callingAeTitle = "CT1", instanceCount = 2 } });
        var grown = await api.RunAsync(Record, new { input = new { studyInstanceUid = "1.2.40", callingAeTitle = "CT1", instanceCount = 5 } });

        Assert.Single(reports.Select(report => Id(report, "recordStudyReceived")).Distinct());
        Assert.Equal(5, grown["recordStudyReceived"]!["instanceCount"]!.GetValue<int>());
        var studies = (await api.RunAsync("""query { receivedStudies(study: "1.2.40") { id instanceCount } }"""))["receivedStudies"]!.AsArray();
        Assert.Equal(5, Assert.Single(studies)!["instanceCount"]!.GetValue<int>());
        await using var session = api.Host.Services.GetRequiredService<Marten.IDocumentStore>().QuerySession();
        var events = await session.Events.FetchStreamAsync(Guid.Parse(Id(grown, "recordStudyReceived")));
        Assert.Equal([typeof(StudyReceived), typeof(StudyReceiptUpdated)], events.Select(e => e.EventType));
    }

    [Fact]
    public async Task a_version_lists_the_studies_it_inferred_that_radiologists_later_corrected()
    {
        var (_, versionId) = await ModelVersionAsync("reviewed");
        var (_, otherVersionId) = await ModelVersionAsync("other");
        var accepted = await InferAsync("1.2.10", versionId);
        var corrected = await InferAsync("1.2.11", versionId);
        var correctedTwice = await InferAsync("1.2.11", versionId);
        var otherModel = await InferAsync("1.2.12", otherVersionId);
        await FeedbackAsync(accepted, "ACCEPT");
        var revision = await CorrectionAsync("1.2.11");
        await FeedbackAsync(corrected, "CORRECT", revision);
        await FeedbackAsync(correctedTwice, "CORRECT", revision);
        await FeedbackAsync(otherModel, "REJECT");

        var data = await api.RunAsync("""
            query($version: ID!) {
              modelVersion(id: $version) { correctedStudies }
              feedback(modelVersion: $version) { totalCount edges { node { verdict radiologist correctedLabelRevision { id } inferenceResult { studyInstanceUid } } } }
              corrections: feedback(modelVersion: $version, verdict: CORRECT) { totalCount }
            }
            """, new { version = versionId });
        Assert.Equal(["1.2.11"], data["modelVersion"]!["correctedStudies"]!.AsArray().Select(uid => uid!.GetValue<string>()));
        Assert.Equal(3, data["feedback"]!["totalCount"]!.GetValue<int>());
        Assert.Equal(2, data["corrections"]!["totalCount"]!.GetValue<int>());
        Assert.All(data["feedback"]!["edges"]!.AsArray(), edge => Assert.Equal("tester", edge!["node"]!["radiologist"]!.GetValue<string>()));
    }

    [Fact]
    public async Task a_version_trained_by_a_job_reports_exactly_the_label_revisions_and_feedback_it_was_trained_on()
    {
        var (modelId, firstVersion) = await ModelVersionAsync("retrained");
        var resultId = await InferAsync("1.2.20", firstVersion);
        var used = await CorrectionAsync("1.2.20");
        var feedbackUsed = await FeedbackAsync(resultId, "CORRECT", used);
        await FeedbackAsync(resultId, "ACCEPT");
        var jobId = Id(await api.RunAsync("mutation($input: RequestTrainingInput!) { requestTraining(input: $input) { id } }",
            new { input = new { modelId, trigger = "1 correction" } }), "requestTraining");

        var registered = await api.RunAsync("""
            mutation($input: RegisterModelVersionInput!) {
              registerModelVersion(input: $input) { id lineage { trainingJobId labelRevisions { id } feedback { id verdict } baseVersion { id } } }
            }
            """, new
        {
            input = new
            {
                modelId, metrics = Array.Empty<object>(), artifactDigest = Digest, dataDigest = Digest, codeVersion = "git:2",
                baseVersionId = firstVersion, labelRevisionIds = new[] { used }, feedbackIds = new[] { feedbackUsed }, trainingJobId = jobId,
            },
        });
        var lineage = registered["registerModelVersion"]!["lineage"]!;
        Assert.Equal(jobId, lineage["trainingJobId"]!.GetValue<string>());
        Assert.Equal([used], lineage["labelRevisions"]!.AsArray().Select(revision => revision!["id"]!.GetValue<string>()));
        Assert.Equal([feedbackUsed], lineage["feedback"]!.AsArray().Select(given => given!["id"]!.GetValue<string>()));
        Assert.Equal(firstVersion, lineage["baseVersion"]!["id"]!.GetValue<string>());

        var unknown = await api.PostAsync("mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }", new
        {
            input = new { modelId, metrics = Array.Empty<object>(), artifactDigest = Digest, dataDigest = Digest, codeVersion = "git:3", feedbackIds = new[] { Guid.NewGuid() } },
        });
        Assert.Equal("FEEDBACK_NOT_FOUND", unknown.FirstErrorCode);
    }

    [Fact]
    public async Task a_prediction_shows_on_its_case_and_a_fixed_split_does_not_change()
    {
        var (_, versionId) = await ModelVersionAsync("predictor");
        var dataset = Id(await api.RunAsync("""mutation { createDataset(input: { name: "split" }) { id } }"""), "createDataset");
        var studies = Enumerable.Range(1, 10).Select(index => $"1.3.{index}").ToArray();
        await ArchivedStudies.StoreAsync(api.Client, studies);
        var cases = (await api.RunAsync("mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
            new { input = new { datasetId = dataset, studyInstanceUids = studies } }))["addCases"]!.AsArray();
        var caseId = cases[0]!["id"]!.GetValue<string>();
        var predicted = await api.RunAsync("mutation($input: PredictLabelInput!) { predictLabel(input: $input) { latestPrediction { versionId blobDigest } } }",
            new { input = new { caseId, modelVersionId = versionId, kind = "SEGMENTATION", blobDigest = Digest } });
        Assert.Equal(versionId, predicted["predictLabel"]!["latestPrediction"]!["versionId"]!.GetValue<string>());

        const string Fix = "mutation($input: FixDatasetSplitInput!) { fixDatasetSplit(input: $input) { split { seed trainCaseIds validationCaseIds testCaseIds } } }";
        var split = (await api.RunAsync(Fix, new { input = new { datasetId = dataset, validationFraction = 0.2, testFraction = 0.2, seed = 3 } }))["fixDatasetSplit"]!["split"]!;
        Assert.Equal((6, 2, 2), (split["trainCaseIds"]!.AsArray().Count, split["validationCaseIds"]!.AsArray().Count, split["testCaseIds"]!.AsArray().Count));
        var again = await api.PostAsync(Fix, new { input = new { datasetId = dataset, validationFraction = 0.1, testFraction = 0.1, seed = 4 } });
        Assert.Equal("DATASET_SPLIT_ALREADY_FIXED", again.FirstErrorCode);
    }
}
