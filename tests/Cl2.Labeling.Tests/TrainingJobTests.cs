using System.Text.Json.Nodes;
using Cl2.Labeling.Training;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Cl2.Labeling.Tests;

public sealed class TrainingJobTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private const string Checkpoint = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
    private const string JobFields = "id status attempt worker device lastCheckpointDigest leaseExpiresAt progress { attempt epoch loss checkpointDigest } versionId failureReason";

    public Task InitializeAsync() => api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<string> RegisterModelAsync(string name) =>
        (await api.RunAsync("mutation($name: String!) { registerModel(input: { name: $name, task: \"liver-ct\" }) { id } }", new { name }))
            ["registerModel"]!["id"]!.GetValue<string>();

    private async Task<string> RequestAsync(string modelId, string trigger = "20 corrections") =>
        (await api.RunAsync("mutation($input: RequestTrainingInput!) { requestTraining(input: $input) { id status } }",
            new { input = new { modelId, trigger } }))["requestTraining"]!["id"]!.GetValue<string>();

    private Task<GraphQLResponse> ClaimAsync(string worker, string? modelId = null, int? leaseSeconds = null) => api.PostAsync(
        $"mutation($input: ClaimTrainingJobInput!) {{ claimTrainingJob(input: $input) {{ {JobFields} }} }}",
        new { input = new { worker, device = "cuda:0", modelId, leaseSeconds } });

    private Task<GraphQLResponse> ReportAsync(string jobId, int attempt, int epoch, string? checkpointDigest = null) => api.PostAsync(
        $"mutation($input: ReportTrainingProgressInput!) {{ reportTrainingProgress(input: $input) {{ {JobFields} }} }}",
        new { input = new { jobId, attempt, epoch, loss = 1.0 / (epoch + 1), metrics = new[] { new { name = "dice", value = 0.5 + epoch / 100.0 } }, checkpointDigest } });

    [Fact]
    public async Task each_job_goes_to_exactly_one_of_many_workers_claiming_at_once()
    {
        var modelId = await RegisterModelAsync("contended");
        var jobs = new List<string>();
        for (var index = 0; index < 4; index++)
        {
            jobs.Add(await RequestAsync(modelId));
        }

        var claims = await Task.WhenAll(Enumerable.Range(0, 16).Select(worker => ClaimAsync($"worker-{worker}", modelId)));

        Assert.All(claims, claim => Assert.True(claim.Errors is null, claim.Body));
        var won = claims.Select(claim => claim.Data!["claimTrainingJob"]).OfType<JsonNode>().ToList();
        Assert.Equal(jobs.Order(), won.Select(job => job["id"]!.GetValue<string>()).Order());
        Assert.Equal(4, won.Select(job => job["worker"]!.GetValue<string>()).Distinct().Count());
        Assert.All(won, job => Assert.Equal(("RUNNING", 1), (job["status"]!.GetValue<string>(), job["attempt"]!.GetValue<int>())));

        // The event history agrees: one claim per job, however many tried.
        var listed = await api.RunAsync("query($model: ID) { trainingJobs(model: $model, status: RUNNING) { totalCount edges { node { id attempt } } } }", new { model = modelId });
        Assert.Equal(4, listed["trainingJobs"]!["totalCount"]!.GetValue<int>());
        Assert.Null((await ClaimAsync("late", modelId)).Data!["claimTrainingJob"]);
    }

    [Fact]
    public async Task a_job_whose_worker_went_silent_is_reclaimed_from_its_last_checkpoint_and_the_old_worker_is_told_to_stop()
    {
        var modelId = await RegisterModelAsync("resumable");
        var jobId = await RequestAsync(modelId);
        var first = (await ClaimAsync("dies", modelId, leaseSeconds: 1)).Data!["claimTrainingJob"]!;
        Assert.Equal(jobId, first["id"]!.GetValue<string>());
        var reported = await ReportAsync(jobId, 1, 1, Checkpoint);
        Assert.True(reported.Errors is null, reported.Body);
        Assert.Null((await ClaimAsync("eager", modelId)).Data!["claimTrainingJob"]);

        // The report renewed the lease for 5 minutes (the default); claims with a one-second lease expire quickly.
        var renewed = await api.PostAsync("mutation($input: ReportTrainingProgressInput!) { reportTrainingProgress(input: $input) { id } }",
            new { input = new { jobId, attempt = 1, epoch = 2, loss = 0.3, leaseSeconds = 1 } });
        Assert.True(renewed.Errors is null, renewed.Body);
        JsonNode? second = null;
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (second is null)
        {
            await Task.Delay(250, hangGuard.Token);
            second = (await ClaimAsync("rescuer", modelId)).Data!["claimTrainingJob"];
        }
        Assert.Equal((jobId, 2, "rescuer"), (second["id"]!.GetValue<string>(), second["attempt"]!.GetValue<int>(), second["worker"]!.GetValue<string>()));
        Assert.Equal(Checkpoint, second["lastCheckpointDigest"]!.GetValue<string>());

        var stale = await ReportAsync(jobId, 1, 3);
        Assert.Equal("TRAINING_LEASE_LOST", stale.FirstErrorCode);
        Assert.Equal(2, stale.Errors![0]!["extensions"]!["data"]!["currentAttempt"]!.GetValue<int>());

        Assert.True((await ReportAsync(jobId, 2, 2)).Errors is null);
        var done = await api.RunAsync($"mutation($input: CompleteTrainingJobInput!) {{ completeTrainingJob(input: $input) {{ {JobFields} }} }}",
            new { input = new { jobId, attempt = 2, outcome = "FAILED", failureReason = "CUDA out of memory: lower the batch size" } });
        var job = done["completeTrainingJob"]!;
        Assert.Equal("FAILED", job["status"]!.GetValue<string>());
        Assert.Equal([(1, 1), (1, 2), (2, 2)], job["progress"]!.AsArray().Select(epoch => (epoch!["attempt"]!.GetValue<int>(), epoch["epoch"]!.GetValue<int>())));
        Assert.Equal("TRAINING_JOB_NOT_RUNNING", (await ReportAsync(jobId, 2, 3)).FirstErrorCode);

        var failed = await api.RunAsync("query($id: ID!) { trainingJob(id: $id) { status failureReason model { name } } }", new { id = jobId });
        Assert.Equal("resumable", failed["trainingJob"]!["model"]!["name"]!.GetValue<string>());
        Assert.Equal(1, (await api.RunAsync("{ trainingJobs(status: FAILED) { totalCount } }"))["trainingJobs"]!["totalCount"]!.GetValue<int>());
    }

    private Task<GraphQLResponse> RenewAsync(string jobId, int attempt, int? leaseSeconds, (string Name, string Roles)? user = null) => api.PostAsAsync(user,
        $"mutation($input: RenewTrainingLeaseInput!) {{ renewTrainingLease(input: $input) {{ {JobFields} }} }}",
        new { input = new { jobId, attempt, leaseSeconds } });

    [Fact]
    public async Task a_heartbeat_extends_the_lease_of_the_holder_only_and_a_reclaimed_attempt_is_told_its_lease_was_lost()
    {
        var modelId = await RegisterModelAsync("heartbeat");
        var jobId = await RequestAsync(modelId);
        var claimed = (await ClaimAsync("slow-reader", modelId, leaseSeconds: 2)).Data!["claimTrainingJob"]!;
        var claimedUntil = claimed["leaseExpiresAt"]!.GetValue<DateTimeOffset>();

        var renewed = await RenewAsync(jobId, 1, 600, ("train-1", "service"));
        Assert.True(renewed.Errors is null, renewed.Body);
        var job = renewed.Data!["renewTrainingLease"]!;
        Assert.Equal(("RUNNING", 1, "slow-reader"), (job["status"]!.GetValue<string>(), job["attempt"]!.GetValue<int>(), job["worker"]!.GetValue<string>()));
        Assert.True(job["leaseExpiresAt"]!.GetValue<DateTimeOffset>() > claimedUntil.AddSeconds(500), renewed.Body);
        Assert.Empty(job["progress"]!.AsArray());
        Assert.Equal("FORBIDDEN", (await RenewAsync(jobId, 1, 600, ("ann", "annotator"))).FirstErrorCode);

        // The holder went silent: a short renewal runs out, another worker reclaims the job, and the first one's heartbeat is refused.
        Assert.True((await RenewAsync(jobId, 1, 1)).Errors is null);
        JsonNode? second = null;
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (second is null)
        {
            await Task.Delay(250, hangGuard.Token);
            second = (await ClaimAsync("rescuer", modelId)).Data!["claimTrainingJob"];
        }
        Assert.Equal(2, second["attempt"]!.GetValue<int>());
        var stale = await RenewAsync(jobId, 1, null);
        Assert.Equal("TRAINING_LEASE_LOST", stale.FirstErrorCode);
        Assert.Equal(2, stale.Errors![0]!["extensions"]!["data"]!["currentAttempt"]!.GetValue<int>());
        Assert.True((await RenewAsync(jobId, 2, null)).Errors is null);

        await api.RunAsync("mutation($input: CompleteTrainingJobInput!) { completeTrainingJob(input: $input) { id } }",
            new { input = new { jobId, attempt = 2, outcome = "FAILED", failureReason = "stopped by the test" } });
        Assert.Equal("TRAINING_JOB_NOT_RUNNING", (await RenewAsync(jobId, 2, null)).FirstErrorCode);

        // Each renewal is kept in the job's history (who held it when); refusals leave none.
        await using var session = api.Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await session.Events.FetchStreamAsync(Guid.Parse(jobId));
        Assert.Equal(
            [typeof(TrainingRequested), typeof(TrainingClaimed), typeof(TrainingLeaseRenewed), typeof(TrainingLeaseRenewed), typeof(TrainingClaimed),
                typeof(TrainingLeaseRenewed), typeof(TrainingFailed)],
            events.Select(e => e.EventType));
        Assert.Equal([1, 1, 2], events.Select(e => e.Data).OfType<TrainingLeaseRenewed>().Select(renewal => renewal.Attempt));
    }
}
