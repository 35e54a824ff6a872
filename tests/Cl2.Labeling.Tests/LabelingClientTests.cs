using Cl2.Labeling.Client;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Cl2.Labeling.Tests;

/// <summary>The typed client as training and inference use it, against the real host listening on a loopback port.</summary>
public sealed class LabelingClientTests : IAsyncLifetime
{
    private const string Digest = "sha256:abababababababababababababababababababababababababababababababab";

    private PostgresCluster? _postgres;
    private LabelingHost? _host;
    private HttpClient? _http;

    private LabelingClient Client => new(_http!);

    public async Task InitializeAsync()
    {
        _postgres = await PostgresCluster.CreateAsync();
        _host = new LabelingHost(_postgres, urls: "http://127.0.0.1:0");
        _host.UseKestrel();
        _host.StartServer();
        var address = _host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(address.TrimEnd('/') + "/") };
        _http.DefaultRequestHeaders.Add("X-Cl2-User", "trainer-1");
        _http.DefaultRequestHeaders.Add("X-Cl2-Roles", "service,ml-engineer");
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    private async Task<Guid> RegisterModelAsync()
    {
        var data = await Client.QueryAsync<System.Text.Json.JsonElement>("""mutation { registerModel(input: { name: "client", task: "liver-ct" }) { id } }""");
        return data.GetProperty("registerModel").GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task a_jobs_training_spacing_and_patch_size_reach_the_worker_that_claims_it()
    {
        var modelId = await RegisterModelAsync();
        await Client.QueryAsync<System.Text.Json.JsonElement>("mutation($input: RequestTrainingInput!) { requestTraining(input: $input) { id } }",
            new { input = new { modelId, trigger = "grid", recipe = new { epochs = 2, spacingMm = new[] { 1.5, 1.5, 2.0 }, patchSize = new[] { 96, 96, 64 } } } });

        var job = await Client.ClaimTrainingJobAsync(new ClaimTrainingJobInput("trainer-1", "cpu", modelId));

        Assert.NotNull(job?.Recipe);
        Assert.Equal([1.5, 1.5, 2.0], job.Recipe.SpacingMm);
        Assert.Equal([96, 96, 64], job.Recipe.PatchSize);
    }

    [Fact]
    public async Task a_worker_claims_trains_with_a_live_progress_feed_registers_and_finishes_through_the_typed_client()
    {
        var modelId = await RegisterModelAsync();
        Assert.Null(await Client.ProductionVersionAsync(modelId));
        var requested = await Client.QueryAsync<System.Text.Json.JsonElement>(
            "mutation($input: RequestTrainingInput!) { requestTraining(input: $input) { id } }", new { input = new { modelId, trigger = "client test" } });
        var jobId = requested.GetProperty("requestTraining").GetProperty("id").GetGuid();

        var job = await Client.ClaimTrainingJobAsync(new ClaimTrainingJobInput("trainer-1", "cuda:0", modelId));
        Assert.NotNull(job);
        Assert.Equal((jobId, TrainingStatus.Running, 1), (job.Id, job.Status, job.Attempt));
        Assert.Null(await Client.ClaimTrainingJobAsync(new ClaimTrainingJobInput("trainer-2", "cuda:1", modelId)));

        await using (var progress = await Client.SubscribeTrainingProgressAsync(jobId))
        {
            for (var epoch = 1; epoch <= 3; epoch++)
            {
                await Client.ReportTrainingProgressAsync(new ReportTrainingProgressInput(jobId, job.Attempt, epoch, 1.0 / epoch, [new MetricValue("dice", 0.6)], Digest));
                // A heartbeat between epochs renews the lease but is no epoch: subscribers hear only the three reports.
                var renewed = await Client.RenewTrainingLeaseAsync(new RenewTrainingLeaseInput(jobId, job.Attempt, 600));
                Assert.True(renewed.LeaseExpiresAt > DateTimeOffset.UtcNow.AddSeconds(300));
            }
            using var hangGuard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var heard = new List<int>();
            await foreach (var report in progress.ReadAllAsync(hangGuard.Token))
            {
                heard.Add(report.Epoch);
                Assert.Equal(("dice", Digest), (report.Metrics[0].Name, report.CheckpointDigest));
                if (heard.Count == 3)
                {
                    break;
                }
            }
            Assert.Equal([1, 2, 3], heard);
        }

        var version = await Client.RegisterModelVersionAsync(new RegisterModelVersionInput(modelId, [new MetricValue("dice", 0.83)], Digest, Digest, "git:client",
            TrainingJobId: jobId));
        Assert.Equal((1, "CANDIDATE"), (version.Number, version.Stage));
        var finished = await Client.CompleteTrainingJobAsync(new CompleteTrainingJobInput(jobId, job.Attempt, TrainingOutcome.Succeeded, version.Id));
        Assert.Equal((TrainingStatus.Succeeded, version.Id), (finished.Status, finished.VersionId));
        Assert.Equal(Digest, (await Client.TrainingJobAsync(jobId))!.LastCheckpointDigest);

        var refused = await Assert.ThrowsAsync<LabelingApiException>(() =>
            Client.ReportTrainingProgressAsync(new ReportTrainingProgressInput(jobId, job.Attempt, 4, 0.1)));
        Assert.Equal("TRAINING_JOB_NOT_RUNNING", refused.Errors[0].Code);
        var late = await Assert.ThrowsAsync<LabelingApiException>(() => Client.RenewTrainingLeaseAsync(new RenewTrainingLeaseInput(jobId, job.Attempt)));
        Assert.Equal("TRAINING_JOB_NOT_RUNNING", late.Errors[0].Code);
    }

    [Fact]
    public async Task an_evaluation_recorded_through_the_typed_client_lets_an_auto_promoting_gate_promote_the_candidate()
    {
        var modelId = await Client.RegisterModelAsync("client-gate", "liver-ct");
        await Client.QueryAsync<System.Text.Json.JsonElement>("mutation($input: SetPromotionGateInput!) { setPromotionGate(input: $input) { id } }",
            new { input = new { modelId, margin = 0.0, autoPromote = true } });
        var version = await Client.RegisterModelVersionAsync(new RegisterModelVersionInput(modelId, [], Digest, Digest, "git:client"));

        var evaluated = await Client.RecordModelEvaluationAsync(new RecordModelEvaluationInput(modelId, version.Id, null,
            [new EvaluationSetInput(EvaluationSplit.Test, "dice_liver", 3, 0.8, null), new EvaluationSetInput(EvaluationSplit.Feedback, "dice_liver", 0, 0, null)], []));

        Assert.Equal("PRODUCTION", evaluated.Stage);
        Assert.Equal(version.Id, (await Client.ProductionVersionAsync(modelId))!.Id);
    }

    [Fact]
    public async Task inference_records_a_study_its_result_and_each_delivery_through_the_typed_client()
    {
        var modelId = await RegisterModelAsync();
        var version = await Client.RegisterModelVersionAsync(new RegisterModelVersionInput(modelId, [], Digest, Digest, "git:client"));
        var received = await Client.RecordStudyReceivedAsync(new RecordStudyReceivedInput("1.2.826.1", "MR1", 12));
        Assert.Equal(("1.2.826.1", 12), (received.StudyInstanceUid, received.InstanceCount));

        var result = await Client.RecordInferenceResultAsync(new RecordInferenceResultInput("1.2.826.1", version.Id, "brain-seg", ["1.2.826.1.5"], 420));
        Assert.Equal(((Guid?)modelId, (Guid?)version.Id), (result.ModelId, result.VersionId));
        await Client.RecordDeliveryAsync(new RecordDeliveryInput(result.Id, "PACS", DeliveryOutcome.Failed, "association rejected"));
        var delivered = await Client.RecordDeliveryAsync(new RecordDeliveryInput(result.Id, "PACS", DeliveryOutcome.Succeeded));
        Assert.Equal(new DeliveryInfo("PACS", DeliveryStatus.Delivered, 2, "association rejected"), Assert.Single(delivered.Deliveries));
        var dead = await Client.RecordDeliveryAsync(new RecordDeliveryInput(result.Id, "XNAT", DeliveryOutcome.DeadLettered, "unreachable"));
        Assert.Contains(dead.Deliveries, delivery => delivery is { Destination: "XNAT", Status: DeliveryStatus.DeadLettered });
    }

    [Fact]
    public async Task an_inference_result_sent_again_with_its_result_id_is_recorded_once()
    {
        var resultId = RecordInferenceResultInput.ResultIdFor("1.2.826.2", null, "pass-through", "run-1");
        var input = new RecordInferenceResultInput("1.2.826.2", null, "pass-through", ["1.2.826.2.5"], 40, ResultId: resultId);

        var first = await Client.RecordInferenceResultAsync(input);
        var retried = await Client.RecordInferenceResultAsync(input with { DurationMs = 55 });
        var another = await Client.RecordInferenceResultAsync(input with { ResultId = null });

        Assert.Equal((resultId, resultId), (first.Id, retried.Id));
        Assert.Equal(RecordInferenceResultInput.ResultIdFor("1.2.826.2", null, "pass-through", "run-1"), resultId);
        Assert.NotEqual(resultId, RecordInferenceResultInput.ResultIdFor("1.2.826.2", null, "pass-through", "run-2"));
        Assert.NotEqual(resultId, another.Id);
    }

    [Fact]
    public async Task a_study_reported_stuck_through_the_typed_client_is_listed_in_stuck_studies_until_it_resumes()
    {
        const string study = "1.2.826.2";
        var stuck = await Client.RecordStudyForwardingStuckAsync(new RecordStudyForwardingStuckInput(study, "MR1", 10, "Failure Reason 0xC000"));
        var listed = await StuckStudiesAsync();
        var resumed = await Client.RecordStudyForwardingResumedAsync(study);

        Assert.Equal((study, true, 10), (stuck.StudyInstanceUid, stuck.IsStuck, stuck.Attempts));
        Assert.Contains(study, listed);
        Assert.False(resumed!.IsStuck);
        Assert.DoesNotContain(study, await StuckStudiesAsync());
        Assert.Null(await Client.RecordStudyForwardingResumedAsync("1.2.826.3"));
    }

    private async Task<IReadOnlyList<string>> StuckStudiesAsync() =>
        (await Client.QueryAsync<StuckStudiesData>("{ stuckStudies(first: 500) { items { studyInstanceUid } } }")).StuckStudies.Items.Select(item => item.StudyInstanceUid).ToList();

    private sealed record StuckStudiesData(StuckStudyPage StuckStudies);

    private sealed record StuckStudyPage(IReadOnlyList<StuckStudyItem> Items);

    private sealed record StuckStudyItem(string StudyInstanceUid);
}
