namespace Cl2.Labeling.Tests.Routing;

/// <summary>recordInferenceResult is recorded once per resultId: inference retries after a lost response without a second result.</summary>
public sealed class InferenceResultIdempotencyTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private const string Record = "mutation($input: RecordInferenceResultInput!) { recordInferenceResult(input: $input) { id durationMs } }";

    public Task InitializeAsync() => api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static object PassThrough(string study, Guid resultId, double durationMs = 40) =>
        new { input = new { studyInstanceUid = study, pipeline = "pass-through", resultUids = new[] { study + ".1" }, durationMs, resultId } };

    private async Task<int> ResultsOfAsync(string study) =>
        (await api.RunAsync("query($study: String!) { inferenceResults(study: $study) { totalCount } }", new { study }))
            ["inferenceResults"]!["totalCount"]!.GetValue<int>();

    [Fact]
    public async Task an_outcome_recorded_again_with_its_result_id_appends_no_second_result()
    {
        var resultId = Guid.NewGuid();
        var first = await api.RunAsync(Record, PassThrough("1.2.40.1", resultId));

        // A retry after a lost response (its timing measured again), and several at once racing to the first commit.
        var retried = await api.RunAsync(Record, PassThrough("1.2.40.1", resultId, durationMs: 55));
        var racingId = Guid.NewGuid();
        var racing = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => api.RunAsync(Record, PassThrough("1.2.40.2", racingId))));

        Assert.Equal(resultId.ToString(), first["recordInferenceResult"]!["id"]!.GetValue<string>());
        Assert.Equal(resultId.ToString(), retried["recordInferenceResult"]!["id"]!.GetValue<string>());
        Assert.Equal(40, retried["recordInferenceResult"]!["durationMs"]!.GetValue<double>());
        Assert.Single(racing.Select(data => data["recordInferenceResult"]!["id"]!.GetValue<string>()).Distinct());
        Assert.Equal((1, 1), (await ResultsOfAsync("1.2.40.1"), await ResultsOfAsync("1.2.40.2")));
    }

    [Fact]
    public async Task another_outcome_under_a_result_id_already_recorded_is_refused_with_inference_result_id_taken()
    {
        var resultId = Guid.NewGuid();
        await api.RunAsync(Record, PassThrough("1.2.41.1", resultId));

        var refused = await api.PostAsync(Record, PassThrough("1.2.41.2", resultId));

        Assert.Equal("INFERENCE_RESULT_ID_TAKEN", refused.FirstErrorCode);
        Assert.Contains("a new outcome needs a new resultId", refused.Errors![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal((1, 0), (await ResultsOfAsync("1.2.41.1"), await ResultsOfAsync("1.2.41.2")));
    }
}
