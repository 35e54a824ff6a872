using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Cl2.Dicom;
using Cl2.Inference.Tests.Forwarding;
using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;

namespace Cl2.Inference.Tests.Processing;

/// <summary>
/// Model runs go through their own bounded queue, so routing and pass-through never wait behind them. The model run is
/// held up deterministically: inference fetches checkpoints from a "blob store" that accepts connections and never answers.
/// </summary>
public sealed class ModelQueueTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cl2-model-queue-").FullName;
    private readonly TcpListener _silent = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _held = [];

    public ModelQueueTests()
    {
        _silent.Start();
        _ = HoldConnectionsAsync();
    }

    public void Dispose()
    {
        _silent.Stop();
        foreach (var socket in _held)
        {
            socket.Dispose();
        }
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task a_pass_through_study_is_recorded_while_a_model_run_is_held_up()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var platform = new StudyForwardingTests.Platform();
        var labeling = await platform.StartLabelingAsync(postgres);
        var (study, model) = await SeededModel.CaseAndModelAsync(_root, WorkloadTask.LiverCt);
        await ModelServingTests.PromotedVersionAsync(platform, model, "liver", "liver-ct");
        await SaveRuleAsync(platform, "liver CT", 1, "liver-ct", "liver", "CT");
        await SaveRuleAsync(platform, "MR as it is", 2, "pass-through", null, "MR");
        var inference = await ModelServingTests.StartServingAsync(platform, HeldUpCheckpoints);
        var slices = Directory.GetFiles(Path.Combine(study, "CT"), "*.dcm");
        var ctStudy = DicomFile.Open(slices[0]).Dataset.GetString(DicomTags.StudyInstanceUID);

        await platform.StoreScuAsync(slices);
        await platform.UntilAsync(async () => (await ModelQueueCheckAsync(platform)).Description.EndsWith("1 running", StringComparison.Ordinal),
            "the CT study's model run", inference, labeling);
        var mr = await platform.CorpusCopyAsync("MR_small.dcm", studyInstanceUid: "1.2.826.0.1.3680043.10.1.77");
        await platform.StoreScuAsync(mr.Path);

        var passed = await ModelServingTests.OutcomeAsync(platform, mr.Study, inference, labeling);
        Assert.Equal("pass-through", passed.GetProperty("pipeline").GetString());
        Assert.True(passed.GetProperty("failure").ValueKind == JsonValueKind.Null, passed.ToString());
        Assert.Equal(0, (await OutcomeCountAsync(platform, ctStudy)));
        Assert.EndsWith("1 running", (await ModelQueueCheckAsync(platform)).Description);
    }

    [Fact]
    public async Task a_study_that_finds_the_model_queue_full_waits_in_the_store_and_is_processed_once()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var platform = new StudyForwardingTests.Platform();
        var labeling = await platform.StartLabelingAsync(postgres);
        var (_, model) = await SeededModel.CaseAndModelAsync(_root, WorkloadTask.LiverCt);
        var versionId = await ModelServingTests.PromotedVersionAsync(platform, model, "liver", "liver-ct");
        await SaveRuleAsync(platform, "liver CT", 1, "liver-ct", "liver", "CT");
        (string Key, string Value)[] oneAtATime = [("Inference__Models__QueueCapacity", "1"), ("Inference__Models__Concurrency", "1")];
        var cohort = Path.Combine(_root, "three");
        var cases = SyntheticCohort.Write(WorkloadTask.LiverCt, cohort, cases: 3, seed: 9, size: 16).Cases;
        var inference = await ModelServingTests.StartServingAsync(platform, [.. HeldUpCheckpoints, .. oneAtATime]);
        var studies = new List<string>();

        // One study runs (held up), one waits in the queue, the third finds it full.
        foreach (var (item, until) in cases.Zip(new[] { "0 of 1 places taken by studies waiting for a model run, 1 running", "The model queue is full", "The model queue is full" }))
        {
            var slices = Directory.GetFiles(Path.Combine(cohort, item.Id, "CT"), "*.dcm");
            await platform.StoreScuAsync(slices);
            studies.Add(DicomFile.Open(slices[0]).Dataset.GetString(DicomTags.StudyInstanceUID));
            await platform.UntilAsync(async () => (await ModelQueueCheckAsync(platform)).Description.StartsWith(until, StringComparison.Ordinal),
                $"model queue: {until}", inference, labeling);
        }
        Assert.Equal("Degraded", (await ModelQueueCheckAsync(platform)).Status);

        // Restarted with a blob store that answers: every study, the one that found the queue full included, gets one outcome.
        await platform.KillAsync(inference);
        inference = await ModelServingTests.StartServingAsync(platform, oneAtATime);
        foreach (var study in studies)
        {
            var outcome = await ModelServingTests.OutcomeAsync(platform, study, inference, labeling);
            Assert.Equal(versionId, outcome.GetProperty("versionId").GetString());
        }
        foreach (var study in studies)
        {
            Assert.Equal(1, await OutcomeCountAsync(platform, study));
        }
        Assert.Equal("Healthy", (await ModelQueueCheckAsync(platform)).Status);
    }

    /// <summary>Checkpoints (and forwarding) go to the silent listener, and its requests are not given up on during the test.</summary>
    private (string Key, string Value)[] HeldUpCheckpoints =>
    [
        ("Inference__Forwarding__LabelingUrl", $"http://127.0.0.1:{((IPEndPoint)_silent.LocalEndpoint).Port}/"),
        ("Inference__Forwarding__RequestTimeout", "00:10:00"),
    ];

    private async Task HoldConnectionsAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _silent.AcceptSocketAsync();
                lock (_held)
                {
                    _held.Add(socket);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // stopped
        }
    }

    private static Task SaveRuleAsync(StudyForwardingTests.Platform platform, string name, int priority, string workload, string? modelName, string modality) =>
        platform.GraphQLAsync("mutation($input: SaveRoutingRuleInput!) { saveRoutingRule(input: $input) { version } }",
            new { input = new { name, priority, workload, modelName, modality, expectedVersion = priority - 1 } });

    private static Task<(string Status, string Description)> ModelQueueCheckAsync(StudyForwardingTests.Platform platform) => platform.HealthCheckAsync("model-queue");

    private static async Task<int> OutcomeCountAsync(StudyForwardingTests.Platform platform, string study) =>
        (await platform.GraphQLAsync("query($study: String) { inferenceResults(study: $study) { totalCount } }", new { study }))
            .GetProperty("inferenceResults").GetProperty("totalCount").GetInt32();
}
