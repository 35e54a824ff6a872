using System.Text.Json;

namespace Cl2.EndToEnd;

/// <summary>
/// cancelTrainingJob on a running job: the worker hears it (Training:Jobs:CancellationPollInterval, default 5 s),
/// stops at its next step, uploads that step's checkpoint and completes the job CANCELLED; resumeTrainingJob queues it
/// again and the next attempt continues from that checkpoint.
/// </summary>
public sealed partial class TrainingWorkerTests
{
    [Fact]
    public async Task cancelling_a_running_job_stops_it_as_cancelled_with_a_checkpoint()
    {
        await using var run = await CancelledJobAsync();
        Assert.Equal("CANCELLED", run.Job.GetProperty("status").GetString());
        var checkpoint = run.Job.GetProperty("lastCheckpointDigest").GetString()!;
        Assert.StartsWith("sha256:", checkpoint, StringComparison.Ordinal);
        using (var blob = await run.Http.GetAsync($"blobs/{checkpoint}"))
        {
            Assert.True(blob.IsSuccessStatusCode, $"the checkpoint blob {checkpoint} answered {blob.StatusCode}");
        }
        Assert.Contains("training_cancelled", await PsqlAsync(run.Postgres, $"select type from cl2.mt_events where stream_id = '{run.JobId}'"),
            StringComparison.Ordinal);
        Assert.Contains("cancellation requested", run.Worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_resumed_cancelled_job_continues_from_its_checkpoint()
    {
        await using var run = await CancelledJobAsync();
        var epochsBefore = run.Job.GetProperty("progress").GetArrayLength();
        await LabelingHttp.GraphQLAsync(run.Http, "mutation($input: ResumeTrainingJobInput!) { resumeTrainingJob(input: $input) { status } }",
            new { input = new { jobId = run.JobId } });

        await Eventually.IsTrueAsync(async () => (await JobAsync(run.Http, run.JobId)).GetProperty("attempt").GetInt32() == 2
            && run.Worker.Output.Contains($"Job {run.JobId} attempt 2 resumed at epoch", StringComparison.Ordinal),
            [run.Labeling, run.Worker], "the resumed job to be claimed again and resume", timeoutSeconds: 60);
        Assert.True(epochsBefore >= 1);
        // Resuming from the cancelled step, not from step 0: the log names a step past the first epoch's.
        var resumed = run.Worker.Output.Split('\n').Single(line => line.Contains($"Job {run.JobId} attempt 2 resumed at epoch", StringComparison.Ordinal));
        Assert.DoesNotContain("step 0", resumed, StringComparison.Ordinal);
    }

    private sealed record CancelledRun(PostgresCluster Postgres, BackgroundProcess Labeling, BackgroundProcess Worker, HttpClient Http, string JobId,
        JsonElement Job, string State) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Worker.DisposeAsync();
            await Labeling.DisposeAsync();
            Http.Dispose();
            await Postgres.DisposeAsync();
            Directory.Delete(State, recursive: true);
        }
    }

    /// <summary>
    /// A long job (many epochs of a small synthetic liver cohort) that has reported its first epoch is cancelled; waits
    /// (at most 10 s) for it to be CANCELLED.
    /// </summary>
    private static async Task<CancelledRun> CancelledJobAsync()
    {
        var postgres = await PostgresCluster.CreateAsync();
        var state = Directory.CreateTempSubdirectory("cl2-cancel-").FullName;
        var (labeling, labelingUrl) = await StartLabelingAsync(postgres, state);
        var http = new HttpClient { BaseAddress = new Uri(labelingUrl), Timeout = TimeSpan.FromSeconds(200) };
        var modelId = (await LabelingHttp.GraphQLAsync(http, "mutation { registerModel(input: { name: \"liver-cancel\", task: \"liver-ct\" }) { id } }"))
            .GetProperty("registerModel").GetProperty("id").GetString()!;
        var jobId = (await LabelingHttp.GraphQLAsync(http, "mutation($model: ID!) { requestTraining(input: { modelId: $model, trigger: \"cancel\", recipe: { epochs: 500 } }) { id } }",
            new { model = modelId })).GetProperty("requestTraining").GetProperty("id").GetString()!;
        var worker = await StartWorkerAsync("worker-x", labelingUrl, state, new Dictionary<string, string> { ["Training__Jobs__LeaseSeconds"] = "120" });

        await Eventually.IsTrueAsync(async () => (await JobAsync(http, jobId)).GetProperty("progress").GetArrayLength() >= 1,
            [labeling, worker], "the job to report its first epoch", timeoutSeconds: 120);
        var requested = (await LabelingHttp.GraphQLAsync(http, "mutation($input: CancelTrainingJobInput!) { cancelTrainingJob(input: $input) { status cancellationRequestedAt } }",
            new { input = new { jobId, reason = "test" } })).GetProperty("cancelTrainingJob");
        Assert.Equal("RUNNING", requested.GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, requested.GetProperty("cancellationRequestedAt").ValueKind);

        // Bounded wait: the worker asks every 5 s (the default) and stops at its next step.
        JsonElement job = default;
        await Eventually.IsTrueAsync(async () =>
        {
            job = (await LabelingHttp.GraphQLAsync(http, "query($id: ID!) { trainingJob(id: $id) { status attempt lastCheckpointDigest progress { epoch } } }",
                new { id = jobId })).GetProperty("trainingJob");
            return job.GetProperty("status").GetString() == "CANCELLED";
        }, [labeling, worker], "the job to be CANCELLED", timeoutSeconds: 10);
        return new CancelledRun(postgres, labeling, worker, http, jobId, job, state);
    }
}
