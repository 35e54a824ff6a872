using System.Text.Json.Nodes;

namespace Cl2.Labeling.Tests.ActiveLearning;

/// <summary>Active-learning strategies through labeling's GraphQL API on a real PostgreSQL: scoring jobs, scores, and nextCase's order.</summary>
public sealed class ActiveLearningTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private static readonly (string Name, string Roles) Worker = ("train-1", "service");

    public async Task InitializeAsync()
    {
        await api.ResetAsync();
        await api.StoreBlobAsync("weights");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<(string Dataset, IReadOnlyList<string> Cases)> DatasetAsync(int cases)
    {
        var dataset = (await api.RunAsync("""mutation { createDataset(input: { name: "pool" }) { id } }"""))["createDataset"]!["id"]!.GetValue<string>();
        var studies = Enumerable.Range(1, cases).Select(index => $"1.2.840.77.{index}").ToArray();
        await ArchivedStudies.StoreAsync(api.Client, studies);
        var added = await api.RunAsync("mutation($input: AddCasesInput!) { addCases(input: $input) { id studyInstanceUid } }",
            new { input = new { datasetId = dataset, studyInstanceUids = studies } });
        var byStudy = added["addCases"]!.AsArray().ToDictionary(entry => entry!["studyInstanceUid"]!.GetValue<string>(), entry => entry!["id"]!.GetValue<string>());
        return (dataset, [.. studies.Select(study => byStudy[study])]);
    }

    private async Task<string> ModelInProductionAsync()
    {
        var modelId = (await api.RunAsync("""mutation { registerModel(input: { name: "liver", task: "liver-ct" }) { id } }"""))["registerModel"]!["id"]!.GetValue<string>();
        await PromoteNewVersionAsync(modelId);
        return modelId;
    }

    private async Task<string> PromoteNewVersionAsync(string modelId)
    {
        var digest = LabelingApi.DigestOf("weights");
        var versionId = (await api.RunAsync("mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }",
            new { input = new { modelId, metrics = Array.Empty<object>(), artifactDigest = digest, dataDigest = digest, codeVersion = "git:1" } }))
            ["registerModelVersion"]!["id"]!.GetValue<string>();
        var expectedVersion = (await api.RunAsync("query($id: ID!) { model(id: $id) { version } }", new { id = modelId }))["model"]!["version"]!.GetValue<int>();
        await api.RunAsync("mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { id } }",
            new { input = new { modelId, versionId, expectedVersion } });
        return versionId;
    }

    private Task<GraphQLResponse> SetStrategyAsync(string datasetId, string strategy, string? modelId) =>
        api.PostAsync("mutation($input: SetActiveLearningStrategyInput!) { setActiveLearningStrategy(input: $input) { activeLearning { strategy modelId setBy } } }",
            new { input = new { datasetId, strategy, modelId } });

    private async Task<JsonArray> ScoringJobsAsync(string dataset) =>
        (await api.RunAsync("query($dataset: ID!) { scoringJobs(dataset: $dataset) { id versionId method clusters status caseCount } }", new { dataset }))
            ["scoringJobs"]!.AsArray();

    private Task<GraphQLResponse> ClaimAsync((string Name, string Roles) worker) =>
        api.PostAsAsync(worker, "mutation($input: ClaimScoringJobInput!) { claimScoringJob(input: $input) { id attempt method clusters versionId } }",
            new { input = new { worker = worker.Name } });

    private Task<GraphQLResponse> CompleteAsync(string jobId, int attempt, IEnumerable<object> scores) =>
        api.PostAsAsync(Worker, "mutation($input: CompleteScoringJobInput!) { completeScoringJob(input: $input) { status caseCount } }",
            new { input = new { jobId, attempt, scores } });

    private async Task<string?> NextAsync(string annotator, string dataset) =>
        (await api.RunAsAsync((annotator, "annotator"), "query($dataset: ID!) { nextCase(dataset: $dataset) { id } }", new { dataset }))
            ["nextCase"]?["id"]?.GetValue<string>();

    /// <summary>Sets the strategy and records the worker's scores for the scoring job it requested.</summary>
    private async Task ScoreAsync(string dataset, string modelId, string strategy, IReadOnlyList<string> cases, Func<int, double> score, Func<int, int?> cluster)
    {
        Assert.Null((await SetStrategyAsync(dataset, strategy, modelId)).Errors);
        var claimed = (await ClaimAsync(Worker)).Data!["claimScoringJob"]!;
        var completed = await CompleteAsync(claimed["id"]!.GetValue<string>(), claimed["attempt"]!.GetValue<int>(),
            cases.Select((caseId, index) => new { caseId, value = score(index), cluster = cluster(index) }));
        Assert.True(completed.Errors is null, completed.Body);
        Assert.Equal(cases.Count, completed.Data!["completeScoringJob"]!["caseCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task choosing_a_scored_strategy_requests_one_scoring_job_with_the_production_version()
    {
        var (dataset, _) = await DatasetAsync(3);
        var modelId = await ModelInProductionAsync();
        var production = (await api.RunAsync("query($model: ID!) { productionVersion(model: $model) { id } }", new { model = modelId }))["productionVersion"]!["id"]!.GetValue<string>();

        var set = await SetStrategyAsync(dataset, "mc-dropout", modelId);
        await SetStrategyAsync(dataset, "mc-dropout", modelId);

        Assert.True(set.Errors is null, set.Body);
        Assert.Equal("mc-dropout", set.Data!["setActiveLearningStrategy"]!["activeLearning"]!["strategy"]!.GetValue<string>());
        var job = Assert.Single(await ScoringJobsAsync(dataset))!;
        Assert.Equal((production, "mc-dropout", "REQUESTED"), (job["versionId"]!.GetValue<string>(), job["method"]!.GetValue<string>(), job["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task an_entropy_dataset_hands_out_its_cases_most_uncertain_first()
    {
        var (dataset, cases) = await DatasetAsync(6);
        var modelId = await ModelInProductionAsync();
        double[] entropy = [0.1, 0.9, 0.3, 0.7, 0.2, 0.5];
        await ScoreAsync(dataset, modelId, "entropy", cases, index => entropy[index], _ => null);

        var handed = new List<string>();
        foreach (var annotator in Enumerable.Range(0, 6).Select(index => $"annotator-{index}"))
        {
            handed.Add((await NextAsync(annotator, dataset))!);
        }

        string[] expected = [cases[1], cases[3], cases[5], cases[2], cases[4], cases[0]];
        Assert.Equal(expected, handed);
    }

    [Fact]
    public async Task a_case_whose_result_a_radiologist_rejected_comes_before_the_most_uncertain_case()
    {
        var modelId = await ModelInProductionAsync();
        var versionId = (await api.RunAsync("query($model: ID!) { productionVersion(model: $model) { id } }", new { model = modelId }))
            ["productionVersion"]!["id"]!.GetValue<string>();
        var resultId = (await api.RunAsync("mutation($input: RecordInferenceResultInput!) { recordInferenceResult(input: $input) { id } }",
            new { input = new { studyInstanceUid = "1.2.840.78.1", modelVersionId = versionId, pipeline = "seg", resultUids = new[] { "1.2.840.78.1.9" }, durationMs = 5.0 } }))
            ["recordInferenceResult"]!["id"]!.GetValue<string>();
        await api.RunAsync("mutation($input: GiveFeedbackInput!) { giveFeedback(input: $input) { id } }",
            new { input = new { inferenceResultId = resultId, verdict = "REJECT" } });
        var dataset = (await api.RunAsync("query($id: ID!) { model(id: $id) { feedbackDataset { id } } }", new { id = modelId }))
            ["model"]!["feedbackDataset"]!["id"]!.GetValue<string>();
        await ArchivedStudies.StoreAsync(api.Client, "1.2.840.78.2");
        var uncertain = (await api.RunAsync("mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
            new { input = new { datasetId = dataset, studyInstanceUids = new[] { "1.2.840.78.2" } } }))["addCases"]![0]!["id"]!.GetValue<string>();

        await ScoreAsync(dataset, modelId, "entropy", [uncertain], _ => 0.99, _ => null);

        var next = (await api.RunAsAsync(("ann", "annotator"), "query($dataset: ID!) { nextCase(dataset: $dataset) { studyInstanceUid priority } }",
            new { dataset }))["nextCase"]!;
        Assert.Equal(("1.2.840.78.1", 1), (next["studyInstanceUid"]!.GetValue<string>(), next["priority"]!.GetValue<int>()));
    }

    [Fact]
    public async Task a_first_dataset_hands_out_its_oldest_case_whatever_the_scores()
    {
        var (dataset, oldest) = await DatasetAsync(1);
        await ArchivedStudies.StoreAsync(api.Client, "1.2.840.79.1");
        var newer = (await api.RunAsync("mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
            new { input = new { datasetId = dataset, studyInstanceUids = new[] { "1.2.840.79.1" } } }))["addCases"]![0]!["id"]!.GetValue<string>();
        var modelId = await ModelInProductionAsync();
        await ScoreAsync(dataset, modelId, "entropy", [oldest[0], newer], index => index, _ => null);

        Assert.Null((await SetStrategyAsync(dataset, "first", null)).Errors);

        Assert.Equal(oldest[0], await NextAsync("ann", dataset));
    }

    [Fact]
    public async Task a_diverse_entropy_dataset_takes_the_most_uncertain_case_of_each_cluster_in_turn()
    {
        var (dataset, cases) = await DatasetAsync(6);
        var modelId = await ModelInProductionAsync();
        // Cluster 0 holds the three most uncertain cases; entropy alone would hand them all out first.
        double[] entropy = [0.95, 0.9, 0.85, 0.3, 0.2, 0.1];
        await ScoreAsync(dataset, modelId, "diverse-entropy", cases, index => entropy[index], index => index < 3 ? 0 : 1);

        var first = await NextAsync("annotator-1", dataset);
        var second = await NextAsync("annotator-2", dataset);

        Assert.Equal<(string?, string?)>((cases[0], cases[3]), (first, second));
    }

    [Fact]
    public async Task twenty_annotators_asking_an_entropy_dataset_at_once_never_get_the_same_case()
    {
        var (dataset, cases) = await DatasetAsync(12);
        var modelId = await ModelInProductionAsync();
        await ScoreAsync(dataset, modelId, "entropy", cases, index => index / 12.0, _ => null);

        var handed = await Task.WhenAll(Enumerable.Range(0, 20).Select(index => NextAsync($"annotator-{index}", dataset)));

        var given = handed.OfType<string>().ToList();
        Assert.Equal(12, given.Count);
        Assert.Equal(12, given.Distinct().Count());
    }

    [Fact]
    public async Task concurrent_workers_claim_a_scoring_job_exactly_once()
    {
        var (dataset, _) = await DatasetAsync(2);
        var modelId = await ModelInProductionAsync();
        Assert.Null((await SetStrategyAsync(dataset, "entropy", modelId)).Errors);

        var claims = await Task.WhenAll(Enumerable.Range(0, 10).Select(index => ClaimAsync(($"train-{index}", "service"))));

        Assert.All(claims, claim => Assert.True(claim.Errors is null, claim.Body));
        Assert.Single(claims, claim => claim.Data!["claimScoringJob"] is not null);
    }

    [Fact]
    public async Task a_worker_whose_lease_was_taken_over_cannot_record_its_scores()
    {
        var (dataset, cases) = await DatasetAsync(1);
        var modelId = await ModelInProductionAsync();
        Assert.Null((await SetStrategyAsync(dataset, "entropy", modelId)).Errors);
        var first = (await api.RunAsAsync(Worker, "mutation { claimScoringJob(input: { worker: \"train-1\", leaseSeconds: 1 }) { id attempt } }"))["claimScoringJob"]!;
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var second = (await ClaimAsync(("train-2", "service"))).Data!["claimScoringJob"]!;

        var late = await CompleteAsync(first["id"]!.GetValue<string>(), first["attempt"]!.GetValue<int>(), [new { caseId = cases[0], value = 1.0 }]);

        Assert.Equal(2, second["attempt"]!.GetValue<int>());
        Assert.Equal("SCORING_LEASE_LOST", late.FirstErrorCode);
    }

    [Fact]
    public async Task a_renewed_scoring_lease_keeps_the_job_from_other_workers()
    {
        var (dataset, _) = await DatasetAsync(1);
        var modelId = await ModelInProductionAsync();
        Assert.Null((await SetStrategyAsync(dataset, "entropy", modelId)).Errors);
        var first = (await api.RunAsAsync(Worker, "mutation { claimScoringJob(input: { worker: \"train-1\", leaseSeconds: 1 }) { id attempt } }"))["claimScoringJob"]!;

        var renewed = await api.PostAsAsync(Worker, "mutation($input: RenewScoringLeaseInput!) { renewScoringLease(input: $input) { attempt } }",
            new { input = new { jobId = first["id"]!.GetValue<string>(), attempt = first["attempt"]!.GetValue<int>(), leaseSeconds = 120 } });
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        Assert.True(renewed.Errors is null, renewed.Body);
        Assert.Null((await ClaimAsync(("train-2", "service"))).Data!["claimScoringJob"]);
    }

    [Fact]
    public async Task a_completion_that_scores_a_case_twice_is_refused_and_records_no_score()
    {
        var (dataset, cases) = await DatasetAsync(2);
        var modelId = await ModelInProductionAsync();
        Assert.Null((await SetStrategyAsync(dataset, "entropy", modelId)).Errors);
        var claimed = (await ClaimAsync(Worker)).Data!["claimScoringJob"]!;

        var refused = await CompleteAsync(claimed["id"]!.GetValue<string>(), claimed["attempt"]!.GetValue<int>(),
            [new { caseId = cases[0], value = 0.5 }, new { caseId = cases[1], value = 0.2 }, new { caseId = cases[1], value = 0.3 }]);

        Assert.Equal("INVALID_INPUT", refused.FirstErrorCode);
        var scored = await api.RunAsync("query($id: ID!) { case(id: $id) { score { value } } }", new { id = cases[0] });
        Assert.Null(scored["case"]!["score"]);
        Assert.Equal("RUNNING", (await ScoringJobsAsync(dataset))[0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task an_unknown_strategy_is_refused_with_the_names_of_the_known_ones()
    {
        var (dataset, _) = await DatasetAsync(1);

        var refused = await SetStrategyAsync(dataset, "least-confidence", null);

        Assert.Equal("INVALID_INPUT", refused.FirstErrorCode);
        Assert.Contains("diverse-entropy, entropy, first, mc-dropout, random", refused.Errors![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_scored_strategy_without_a_model_is_refused()
    {
        var (dataset, _) = await DatasetAsync(1);

        var refused = await SetStrategyAsync(dataset, "entropy", null);

        Assert.Equal("INVALID_INPUT", refused.FirstErrorCode);
        Assert.Contains("modelId", refused.Errors![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_annotator_cannot_choose_a_datasets_strategy()
    {
        var (dataset, _) = await DatasetAsync(1);

        var refused = await api.PostAsAsync(("ann", "annotator"),
            "mutation($input: SetActiveLearningStrategyInput!) { setActiveLearningStrategy(input: $input) { id } }",
            new { input = new { datasetId = dataset, strategy = "random" } });

        Assert.Equal("FORBIDDEN", refused.FirstErrorCode);
    }

    [Fact]
    public async Task a_new_production_version_gets_a_new_scoring_job_for_the_dataset()
    {
        await using var host = new LabelingHost(api.Postgres, settings: new Dictionary<string, string> { ["Scoring:CheckIntervalSeconds"] = "1" });
        using var client = host.CreateClient();
        var (dataset, cases) = await DatasetAsync(2);
        var modelId = await ModelInProductionAsync();
        await ScoreAsync(dataset, modelId, "entropy", cases, index => index, _ => null);

        var v2 = await PromoteNewVersionAsync(modelId);

        // The second host's scheduler checks every second; the bound is generous for a loaded machine.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonArray jobs;
        do
        {
            await Task.Delay(250);
            jobs = (await LabelingApi.PostAsync(client, "query($dataset: ID!) { scoringJobs(dataset: $dataset) { versionId status } }", new { dataset }))
                .Data!["scoringJobs"]!.AsArray();
        }
        while (jobs.Count < 2 && DateTime.UtcNow < deadline);
        Assert.Equal(2, jobs.Count);
        Assert.Equal((v2, "REQUESTED"), (jobs[0]!["versionId"]!.GetValue<string>(), jobs[0]!["status"]!.GetValue<string>()));
    }
}
