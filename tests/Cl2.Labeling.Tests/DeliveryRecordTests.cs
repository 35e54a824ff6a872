using System.Text.Json.Nodes;

namespace Cl2.Labeling.Tests;

/// <summary>Deliveries as inference's outbox records them: numbered reports, the dead letter across results, and an admin's retry.</summary>
public sealed class DeliveryRecordTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private const string Record = "mutation($input: RecordDeliveryInput!) { recordDelivery(input: $input) { deliveries { destination status attempts lastError } } }";
    private const string DeadLettered = "query { deadLetteredDeliveries { totalCount edges { node { id inferenceResultId destination status attempts lastError inferenceResult { studyInstanceUid } } } } }";
    private const string Retry = "mutation($input: RetryDeliveryInput!) { retryDelivery(input: $input) { id status attempts lastError } }";

    public Task InitializeAsync() => api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<string> ResultAsync(string study) => ResultAsync(api, study);

    /// <summary>A result of a registered model version on <paramref name="study"/>, as inference records it; its id.</summary>
    internal static async Task<string> ResultAsync(LabelingApi api, string study)
    {
        var modelId = (await api.RunAsync("mutation { registerModel(input: { name: \"delivered\", task: \"liver-ct\" }) { id } }"))["registerModel"]!["id"]!.GetValue<string>();
        var digest = await api.StoreBlobAsync("weights");
        var versionId = (await api.RunAsync("mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }",
            new { input = new { modelId, metrics = Array.Empty<object>(), artifactDigest = digest, dataDigest = digest, codeVersion = "git:1" } }))["registerModelVersion"]!["id"]!.GetValue<string>();
        return (await api.RunAsync("mutation($input: RecordInferenceResultInput!) { recordInferenceResult(input: $input) { id } }",
            new { input = new { studyInstanceUid = study, modelVersionId = versionId, pipeline = "liver-ct", resultUids = new[] { study + ".9" }, durationMs = 10.0 } }))
            ["recordInferenceResult"]!["id"]!.GetValue<string>();
    }

    [Fact]
    public async Task a_dead_lettered_delivery_is_listed_until_an_admin_retries_it()
    {
        var resultId = await ResultAsync("1.2.840.5");
        await api.RunAsync(Record, new { input = new { inferenceResultId = resultId, destination = "PACS", outcome = "SUCCEEDED", attempt = 1 } });
        await api.RunAsync(Record, new { input = new { inferenceResultId = resultId, destination = "XNAT", outcome = "FAILED", error = "connection refused", attempt = 1 } });
        await api.RunAsync(Record, new { input = new { inferenceResultId = resultId, destination = "XNAT", outcome = "DEAD_LETTERED", error = "connection refused", attempt = 2 } });

        var dead = (await api.RunAsync(DeadLettered))["deadLetteredDeliveries"]!;
        var node = Assert.Single(dead["edges"]!.AsArray())!["node"]!;
        Assert.Equal((resultId + "/XNAT", "XNAT", "DEAD_LETTERED", 2, "connection refused", "1.2.840.5"),
            (node["id"]!.GetValue<string>(), node["destination"]!.GetValue<string>(), node["status"]!.GetValue<string>(), node["attempts"]!.GetValue<int>(),
                node["lastError"]!.GetValue<string>(), node["inferenceResult"]!["studyInstanceUid"]!.GetValue<string>()));

        var notAdmin = await api.PostAsAsync(("inference", "service"), Retry, new { input = new { inferenceResultId = resultId, destination = "XNAT" } });
        Assert.Equal("FORBIDDEN", notAdmin.FirstErrorCode);
        var delivered = await api.PostAsync(Retry, new { input = new { inferenceResultId = resultId, destination = "PACS" } });
        Assert.Equal("DELIVERY_NOT_DEAD_LETTERED", delivered.FirstErrorCode);
        var retried = (await api.RunAsync(Retry, new { input = new { inferenceResultId = resultId, destination = "XNAT" } }))["retryDelivery"]!;

        Assert.Equal(("RETRYING", 2), (retried["status"]!.GetValue<string>(), retried["attempts"]!.GetValue<int>()));
        Assert.Equal(0, (await api.RunAsync(DeadLettered))["deadLetteredDeliveries"]!["totalCount"]!.GetValue<int>());
        var after = (await api.RunAsync(Record, new { input = new { inferenceResultId = resultId, destination = "XNAT", outcome = "SUCCEEDED", attempt = 3 } }))
            ["recordDelivery"]!["deliveries"]!.AsArray().Single(delivery => delivery!["destination"]!.GetValue<string>() == "XNAT")!;
        Assert.Equal(("DELIVERED", 3), (after["status"]!.GetValue<string>(), after["attempts"]!.GetValue<int>()));
    }

    [Fact]
    public async Task a_success_reported_again_after_a_crash_is_recorded_once()
    {
        var resultId = await ResultAsync("1.2.840.6");
        var input = new { inferenceResultId = resultId, destination = "PACS", outcome = "SUCCEEDED", attempt = 2 };

        await api.RunAsync(Record, new { input });
        var again = await api.PostAsync(Record, new { input });

        Assert.Null(again.FirstErrorCode);
        var events = await api.RunAsync("query($id: ID!) { inferenceResult(id: $id) { deliveries { status attempts } } }", new { id = resultId });
        var delivery = Assert.Single(events["inferenceResult"]!["deliveries"]!.AsArray())!;
        Assert.Equal(("DELIVERED", 2), (delivery["status"]!.GetValue<string>(), delivery["attempts"]!.GetValue<int>()));
    }
}
