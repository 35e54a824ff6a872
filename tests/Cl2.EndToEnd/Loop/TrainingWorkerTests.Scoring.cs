using System.Text.Json;

namespace Cl2.EndToEnd;

/// <summary>The worker's active-learning scoring against the real labeling service, with a liver CT cohort in its archive.</summary>
public sealed partial class TrainingWorkerTests
{
    [Fact]
    public async Task the_worker_scores_every_unlabelled_case_of_an_entropy_dataset_with_the_production_version()
    {
        await using var loop = await LoopAsync("cl2-loop-score-", feedbackStudies: 3);
        var http = loop.Http;
        var modelId = await RegisterLoopModelAsync(http, "liver-score");
        await using var worker = await StartWorkerAsync("worker-score", loop.LabelingUrl, loop.State);
        var versionId = (await WaitForVersionAsync(http, worker, await RequestLoopJobAsync(http, modelId, loop.DatasetId, null, new { epochs = 1, spacingMm = Liver16Grid })))
            .GetProperty("id").GetString()!;
        var expectedVersion = (await LabelingHttp.GraphQLAsync(http, "query($id: ID!) { model(id: $id) { version } }", new { id = modelId }))
            .GetProperty("model").GetProperty("version").GetInt32();
        await LabelingHttp.GraphQLAsync(http, "mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { id } }",
            new { input = new { modelId, versionId, expectedVersion } });
        // The review dataset's cases are unlabelled: the pool an annotator would be handed from.
        var reviewCases = loop.FeedbackStudies.Select(study => study.CaseId).ToList();
        var review = (await LabelingHttp.GraphQLAsync(http, "query($id: ID!) { case(id: $id) { dataset { id } } }", new { id = reviewCases[0] }))
            .GetProperty("case").GetProperty("dataset").GetProperty("id").GetString()!;

        await LabelingHttp.GraphQLAsync(http, "mutation($input: SetActiveLearningStrategyInput!) { setActiveLearningStrategy(input: $input) { id } }",
            new { input = new { datasetId = review, strategy = "entropy", modelId } });

        JsonElement job = default;
        await Eventually.IsTrueAsync(async () =>
        {
            var jobs = (await LabelingHttp.GraphQLAsync(http, "query($dataset: ID!) { scoringJobs(dataset: $dataset) { status caseCount failureReason versionId } }",
                new { dataset = review })).GetProperty("scoringJobs");
            job = jobs.EnumerateArray().FirstOrDefault();
            return job.ValueKind == JsonValueKind.Object && job.GetProperty("status").GetString() is "SUCCEEDED" or "FAILED";
        }, [worker], "the scoring job to finish");
        Assert.True(job.GetProperty("status").GetString() == "SUCCEEDED", $"{job}\n{worker.Output}");
        Assert.Equal<(int, string?)>((reviewCases.Count, versionId), (job.GetProperty("caseCount").GetInt32(), job.GetProperty("versionId").GetString()));
        foreach (var caseId in reviewCases)
        {
            var score = (await LabelingHttp.GraphQLAsync(http, "query($id: ID!) { case(id: $id) { score { method value versionId } } }", new { id = caseId }))
                .GetProperty("case").GetProperty("score");
            Assert.Equal<(string?, string?)>(("entropy", versionId), (score.GetProperty("method").GetString(), score.GetProperty("versionId").GetString()));
            Assert.True(score.GetProperty("value").GetDouble() >= 0, $"case {caseId}: {score}");
        }
        Directory.Delete(loop.State, recursive: true);
    }
}
