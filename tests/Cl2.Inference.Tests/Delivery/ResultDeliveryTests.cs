using Cl2.Inference.Delivery;

namespace Cl2.Inference.Tests.Delivery;

/// <summary>
/// Results leave inference through its outbox to a real Orthanc (the hospital PACS) and labeling's archive, with labeling
/// and inference as their own processes: every object arrives exactly once, whatever happens to the PACS or to inference
/// on the way, and every outcome is recorded in labeling.
/// </summary>
public sealed class ResultDeliveryTests
{
    private const string Study = "1.2.826.0.1.3680043.10.1.1";

    private static DeliveryDestinationOptions Pacs(int port) =>
        new() { Name = "PACS", Kind = DeliveryKind.DicomAe, Host = "127.0.0.1", Port = port, CalledAeTitle = "ORTHANC" };

    [Fact]
    public async Task each_result_object_reaches_orthanc_and_the_archive_once_and_is_recorded_delivered()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var orthanc = await OrthancPeer.StartAsync();
        await using var platform = new DeliveryPlatform(Pacs(orthanc.DicomPort), new DeliveryDestinationOptions { Name = "archive", Kind = DeliveryKind.Archive });
        var labeling = await platform.StartLabelingAsync(postgres);
        var resultId = await platform.RecordResultAsync(Study);
        var ct = await platform.ResultObjectAsync("CT_small.dcm", Study, Study + ".1.1");
        var mr = await platform.ResultObjectAsync("MR_small.dcm", Study, Study + ".1.2");
        await platform.EnqueueAsync(resultId, Study, "STORESCU", ct.Path, mr.Path);
        await platform.EnqueueAsync(resultId, Study, "STORESCU", ct.Path, mr.Path); // handed over twice: still one delivery each

        var inference = await platform.StartInferenceAsync();
        await platform.UntilAsync(async () => (await platform.DeliveriesAsync(resultId)) is { Count: 2 } recorded && recorded.Values.All(delivery => delivery.Status == "DELIVERED"),
            "both deliveries recorded", inference, labeling);

        Assert.Equal([ct.SopInstanceUid, mr.SopInstanceUid], (await orthanc.InstanceUidsAsync()).Order());
        Assert.Equal(("DELIVERED", 1), (await platform.DeliveriesAsync(resultId))["PACS"]);
        Assert.Equal([ct.SopInstanceUid, mr.SopInstanceUid], await platform.ArchivedAsync(Study));
        Assert.Empty(await platform.OutboxAsync());
    }

    [Fact]
    public async Task results_queued_while_orthanc_is_down_arrive_once_each_when_it_starts()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var orthancPort = FreePort.Next();
        await using var platform = new DeliveryPlatform(Pacs(orthancPort));
        var labeling = await platform.StartLabelingAsync(postgres);
        var resultId = await platform.RecordResultAsync(Study);
        var ct = await platform.ResultObjectAsync("CT_small.dcm", Study, Study + ".2.1");
        var mr = await platform.ResultObjectAsync("MR_small.dcm", Study, Study + ".2.2");
        var delivery = Assert.Single(await platform.EnqueueAsync(resultId, Study, "STORESCU", ct.Path, mr.Path));

        var inference = await platform.StartInferenceAsync();
        await platform.UntilAsync(async () => (await platform.DeliveriesAsync(resultId)).GetValueOrDefault("PACS") is ("RETRYING", >= 2),
            "two failed attempts recorded while Orthanc is down", inference, labeling);
        Assert.Equal("retrying", (await platform.OutboxAsync())[delivery]);
        await using var orthanc = await OrthancPeer.StartAsync(dicomPort: orthancPort);
        await platform.UntilAsync(async () => (await platform.DeliveriesAsync(resultId))["PACS"].Status == "DELIVERED", "the delivery recorded", inference, labeling);

        Assert.Equal([ct.SopInstanceUid, mr.SopInstanceUid], (await orthanc.InstanceUidsAsync()).Order());
        Assert.Empty(await platform.OutboxAsync());
    }

    [Fact]
    public async Task a_destination_that_keeps_failing_is_dead_lettered_in_graphql_until_retry_delivery_delivers_it()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var orthancPort = FreePort.Next();
        await using var platform = new DeliveryPlatform(Pacs(orthancPort));
        var labeling = await platform.StartLabelingAsync(postgres);
        var resultId = await platform.RecordResultAsync(Study);
        var ct = await platform.ResultObjectAsync("CT_small.dcm", Study, Study + ".3.1");
        var delivery = Assert.Single(await platform.EnqueueAsync(resultId, Study, "STORESCU", ct.Path));

        var inference = await platform.StartInferenceAsync(("Inference__Delivery__MaxAttempts", "2"));
        const string DeadLettered = "query { deadLetteredDeliveries { edges { node { id status attempts lastError } } } }";
        await platform.UntilAsync(async () => (await platform.GraphQLAsync(DeadLettered)).GetProperty("deadLetteredDeliveries").GetProperty("edges").GetArrayLength() == 1,
            "the delivery dead-lettered in labeling", inference, labeling);
        var dead = (await platform.GraphQLAsync(DeadLettered)).GetProperty("deadLetteredDeliveries").GetProperty("edges")[0].GetProperty("node");
        await Task.Delay(TimeSpan.FromSeconds(2)); // a dead letter is not tried again by itself: time for a third attempt, which must not come
        var outboxState = (await platform.OutboxAsync())[delivery];
        await using var orthanc = await OrthancPeer.StartAsync(dicomPort: orthancPort);
        Assert.Empty(await orthanc.InstanceUidsAsync());
        await platform.GraphQLAsync("mutation($input: RetryDeliveryInput!) { retryDelivery(input: $input) { id } }",
            new { input = new { inferenceResultId = resultId, destination = "PACS" } });
        await platform.UntilAsync(async () => (await platform.DeliveriesAsync(resultId))["PACS"].Status == "DELIVERED", "the retried delivery recorded", inference, labeling);

        Assert.Equal((delivery, "DEAD_LETTERED", 2), (dead.GetProperty("id").GetString(), dead.GetProperty("status").GetString(), dead.GetProperty("attempts").GetInt32()));
        Assert.Contains($"cannot connect to 127.0.0.1:{orthancPort}", dead.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal("dead-lettered", outboxState);
        Assert.Equal([ct.SopInstanceUid], await orthanc.InstanceUidsAsync());
        Assert.Equal(("DELIVERED", 3), (await platform.DeliveriesAsync(resultId))["PACS"]);
    }

    [Fact]
    public async Task a_sigkill_between_send_and_record_resends_the_same_objects_and_orthanc_keeps_one_of_each()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var orthanc = await OrthancPeer.StartAsync();
        await using var platform = new DeliveryPlatform(Pacs(orthanc.DicomPort));
        var labeling = await platform.StartLabelingAsync(postgres);
        var resultId = await platform.RecordResultAsync(Study);
        var ct = await platform.ResultObjectAsync("CT_small.dcm", Study, Study + ".4.1");
        var mr = await platform.ResultObjectAsync("MR_small.dcm", Study, Study + ".4.2");
        var delivery = Assert.Single(await platform.EnqueueAsync(resultId, Study, "STORESCU", ct.Path, mr.Path));
        await platform.KillAsync(labeling); // the record cannot be made: inference is caught between send and record

        var inference = await platform.StartInferenceAsync();
        await platform.UntilAsync(async () => (await platform.OutboxAsync())[delivery] == "sent-not-recorded", "the objects sent, the record pending", inference);
        var stored = (await orthanc.InstanceUidsAsync()).Order().ToList();
        await platform.KillAsync(inference);
        labeling = await platform.StartLabelingAsync(postgres);
        inference = await platform.StartInferenceAsync();
        await platform.UntilAsync(async () => (await platform.DeliveriesAsync(resultId)).GetValueOrDefault("PACS").Status == "DELIVERED", "the delivery recorded", inference, labeling);

        Assert.Equal([ct.SopInstanceUid, mr.SopInstanceUid], stored);
        Assert.Contains("Delivered result", inference.Output, StringComparison.Ordinal); // sent again by the restarted process
        Assert.Equal([ct.SopInstanceUid, mr.SopInstanceUid], (await orthanc.InstanceUidsAsync()).Order());
        Assert.Equal(("DELIVERED", 1), (await platform.DeliveriesAsync(resultId))["PACS"]);
    }
    [Fact]
    public async Task a_delivered_results_deliver_stage_is_the_time_its_slowest_destination_took()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var orthanc = await OrthancPeer.StartAsync();
        await using var platform = new DeliveryPlatform(Pacs(orthanc.DicomPort), new DeliveryDestinationOptions { Name = "archive", Kind = DeliveryKind.Archive });
        var labeling = await platform.StartLabelingAsync(postgres);
        var resultId = await platform.RecordResultAsync(Study);
        var ct = await platform.ResultObjectAsync("CT_small.dcm", Study, Study + ".6.1");
        await platform.EnqueueAsync(resultId, Study, "STORESCU", ct.Path);

        var inference = await platform.StartInferenceAsync();
        await platform.UntilAsync(async () => (await platform.DeliveriesAsync(resultId)) is { Count: 2 } recorded && recorded.Values.All(delivery => delivery.Status == "DELIVERED"),
            "both deliveries recorded", inference, labeling);
        var result = (await platform.GraphQLAsync("query($id: ID!) { inferenceResult(id: $id) { stages { stage durationMs } deliveries { destination durationMs } } }",
            new { id = resultId })).GetProperty("inferenceResult");

        var durations = result.GetProperty("deliveries").EnumerateArray().Select(delivery => delivery.GetProperty("durationMs").GetDouble()).ToList();
        Assert.All(durations, duration => Assert.True(duration > 0, $"a delivery took {duration} ms"));
        var deliver = Assert.Single(result.GetProperty("stages").EnumerateArray(), stage => stage.GetProperty("stage").GetString() == "DELIVER");
        Assert.Equal(durations.Max(), deliver.GetProperty("durationMs").GetDouble());
    }

    /// <summary>The journal is compacted after one delivered delivery (Inference:Delivery:CompactJournalAfter=1): the delivered
    /// one's lines leave it; the pending one's stay, so the restarted process sends it, and only it.</summary>
    [Fact]
    public async Task a_restart_after_the_journal_was_compacted_sends_the_pending_delivery_and_not_the_delivered_one()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var orthanc = await OrthancPeer.StartAsync();
        var laterPort = FreePort.Next();
        await using var platform = new DeliveryPlatform(Pacs(orthanc.DicomPort),
            new DeliveryDestinationOptions { Name = "later", Kind = DeliveryKind.DicomAe, Host = "127.0.0.1", Port = laterPort, CalledAeTitle = "ORTHANC" });
        var labeling = await platform.StartLabelingAsync(postgres);
        var resultId = await platform.RecordResultAsync(Study);
        var ct = await platform.ResultObjectAsync("CT_small.dcm", Study, Study + ".5.1");
        var deliveries = await platform.EnqueueAsync(resultId, Study, "STORESCU", ct.Path);
        var (delivered, pending) = (deliveries.Single(id => id.EndsWith("/PACS", StringComparison.Ordinal)), deliveries.Single(id => id.EndsWith("/later", StringComparison.Ordinal)));
        var journal = Path.Combine(platform.Storage, "delivery", "journal");
        var compactAfterOne = ("Inference__Delivery__CompactJournalAfter", "1");

        var inference = await platform.StartInferenceAsync(compactAfterOne);
        await platform.UntilAsync(async () => await platform.DeliveriesAsync(resultId) is { } recorded && recorded.GetValueOrDefault("PACS").Status == "DELIVERED"
            && recorded.GetValueOrDefault("later").Status == "RETRYING", "PACS delivered, the later destination retrying", inference, labeling);
        await platform.UntilAsync(async () => !(await ReadSharedAsync(journal)).Contains(delivered, StringComparison.Ordinal), "the delivered delivery compacted out of the journal", inference);
        Assert.Contains(pending, await ReadSharedAsync(journal), StringComparison.Ordinal);
        await platform.KillAsync(inference);
        await using var later = await OrthancPeer.StartAsync(dicomPort: laterPort);
        var restarted = await platform.StartInferenceAsync(compactAfterOne);
        await platform.UntilAsync(async () => (await platform.DeliveriesAsync(resultId))["later"].Status == "DELIVERED", "the pending delivery recorded after the restart", restarted, labeling);

        Assert.Equal([ct.SopInstanceUid], await later.InstanceUidsAsync());
        Assert.DoesNotContain($"Delivered result {resultId} of study {Study} to PACS", restarted.Output, StringComparison.Ordinal);
        Assert.Equal(("DELIVERED", 1), (await platform.DeliveriesAsync(resultId))["PACS"]);
        Assert.Equal([ct.SopInstanceUid], await orthanc.InstanceUidsAsync());
    }

    /// <summary>The journal as a reader beside the running writer sees it.</summary>
    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return await new StreamReader(file).ReadToEndAsync();
    }
}
