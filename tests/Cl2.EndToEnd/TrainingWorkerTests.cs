using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Sdk;

namespace Cl2.EndToEnd;

/// <summary>
/// Two training worker processes against the real labeling service and PostgreSQL: ten tiny jobs, one worker killed
/// (SIGKILL) after it reported its second epoch of a job; the other must finish every job, that one from its checkpoint.
/// </summary>
public sealed partial class TrainingWorkerTests
{
    private const int JobCount = 10;
    private const int Epochs = 4;

    [Fact]
    public async Task two_workers_finish_each_job_once_and_a_killed_workers_job_resumes_from_its_checkpoint()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var state = Directory.CreateTempSubdirectory("cl2-workers-").FullName;
        var (labelingProcess, labelingUrl) = await StartLabelingAsync(postgres, state);
        await using var labeling = labelingProcess;
        using var http = new HttpClient { BaseAddress = new Uri(labelingUrl), Timeout = TimeSpan.FromSeconds(200) };

        var modelId = (await LabelingHttp.GraphQLAsync(http, "mutation { registerModel(input: { name: \"liver-e2e\", task: \"liver-ct\" }) { id } }"))
            .GetProperty("registerModel").GetProperty("id").GetString()!;
        var jobIds = new List<string>();
        for (var i = 0; i < JobCount; i++)
        {
            var job = await LabelingHttp.GraphQLAsync(http, "mutation($model: ID!, $trigger: String!) { requestTraining(input: { modelId: $model, trigger: $trigger }) { id } }",
                new { model = modelId, trigger = $"end-to-end job {i}" });
            jobIds.Add(job.GetProperty("requestTraining").GetProperty("id").GetString()!);
        }

        await using var workerA = await StartWorkerAsync("worker-a", labelingUrl, state);
        await using var workerB = await StartWorkerAsync("worker-b", labelingUrl, state);

        // Wait for worker A to report the second epoch (epoch 1) of a job it still holds: from then on its checkpoint is
        // mid-run, and two more epochs are left, so A cannot finish the job in the moment between this check and the kill.
        JsonElement victim = default;
        await Eventually.IsTrueAsync(async () =>
        {
            await ThrowIfAnyFailedAsync(http, jobIds, workerA, workerB);
            var running = (await LabelingHttp.GraphQLAsync(http, "{ trainingJobs(status: RUNNING) { items { id worker attempt status lastEpoch { attempt epoch } } } }"))
                .GetProperty("trainingJobs").GetProperty("items").EnumerateArray()
                .Where(job => job.GetProperty("worker").GetString() == "worker-a" && job.GetProperty("lastEpoch") is { ValueKind: JsonValueKind.Object } last
                    && last.GetProperty("epoch").GetInt32() == 1)
                .ToList();
            victim = running.FirstOrDefault();
            return running.Count > 0;
        }, [labeling, workerA, workerB], "worker A to report a mid-run epoch", timeoutSeconds: 180);
        using (var process = Process.GetProcessById(workerA.Id))
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        var victimId = victim.GetProperty("id").GetString()!;
        var atKill = await JobAsync(http, victimId);
        Assert.True(atKill.GetProperty("status").GetString() == "RUNNING",
            $"worker A finished job {victimId} before it was killed; the test's timing assumption failed:\n{workerA.Output}");

        await Eventually.IsTrueAsync(async () =>
        {
            var jobs = await ThrowIfAnyFailedAsync(http, jobIds, workerB);
            return jobs.All(job => job.GetProperty("status").GetString() == "SUCCEEDED");
        }, [labeling, workerB], "every job to succeed", timeoutSeconds: 240);

        // The killed job: taken over by B as a second attempt that resumed at the epoch A's last checkpoint ended.
        var resumed = await JobAsync(http, victimId);
        Assert.Equal("worker-b", resumed.GetProperty("worker").GetString());
        Assert.Equal(2, resumed.GetProperty("attempt").GetInt32());
        var epochs = resumed.GetProperty("progress").EnumerateArray()
            .Select(epoch => (Attempt: epoch.GetProperty("attempt").GetInt32(), Epoch: epoch.GetProperty("epoch").GetInt32())).ToList();
        var lastOfFirst = epochs.Where(epoch => epoch.Attempt == 1).Max(epoch => epoch.Epoch);
        var second = epochs.Where(epoch => epoch.Attempt == 2).Select(epoch => epoch.Epoch).ToList();
        Assert.True(lastOfFirst >= 1, $"attempt 1 reported epochs {string.Join(",", epochs)}");
        // Resuming re-scores the checkpoint's epoch, then trains the rest; a fresh start would report epoch 0 again.
        Assert.Equal(Enumerable.Range(lastOfFirst, Epochs - lastOfFirst), second);

        // Each job: exactly one success event, and exactly one registered version that names it.
        var successes = (await PsqlAsync(postgres, "select stream_id from cl2.mt_events where type = 'training_succeeded' order by stream_id"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(jobIds.Order(StringComparer.Ordinal), successes.Order(StringComparer.Ordinal));
        var versions = (await LabelingHttp.GraphQLAsync(http, "query($id: ID!) { model(id: $id) { versions { id lineage { trainingJobId dataDigest } metrics { name value } } } }",
            new { id = modelId })).GetProperty("model").GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal(jobIds.Order(StringComparer.Ordinal),
            versions.Select(version => version.GetProperty("lineage").GetProperty("trainingJobId").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(versions, version =>
        {
            Assert.StartsWith("sha256:", version.GetProperty("lineage").GetProperty("dataDigest").GetString(), StringComparison.Ordinal);
            Assert.Contains(version.GetProperty("metrics").EnumerateArray(), metric => metric.GetProperty("name").GetString() == "dice_liver");
        });
        foreach (var id in jobIds)
        {
            var job = await JobAsync(http, id);
            Assert.Contains(versions, version => version.GetProperty("id").GetString() == job.GetProperty("versionId").GetString());
        }

        await workerA.DisposeAsync();
        await workerB.DisposeAsync();
        Directory.Delete(state, recursive: true);
    }

    private static async Task<JsonElement[]> ThrowIfAnyFailedAsync(HttpClient http, IEnumerable<string> jobIds, params BackgroundProcess[] workers)
    {
        var jobs = await Task.WhenAll(jobIds.Select(id => JobAsync(http, id)));
        if (jobs.FirstOrDefault(job => job.GetProperty("status").GetString() == "FAILED") is { ValueKind: JsonValueKind.Object } failed)
        {
            throw new XunitException($"job {failed.GetProperty("id")} failed: {failed.GetProperty("failureReason")}\n"
                + string.Join("\n", workers.Select(worker => $"--- {worker.Name}\n{worker.Output}")));
        }
        return jobs;
    }

    /// <summary>The real labeling service (the header identity: every caller holds every role), ready.</summary>
    private static async Task<(BackgroundProcess Labeling, string Url)> StartLabelingAsync(PostgresCluster postgres, string state)
    {
        var platform = new PlatformLauncher(state, postgres.ConnectionString);
        var url = platform.LabelingUrl;
        var labeling = await platform.StartAsync(PlatformLauncher.Labeling, new Dictionary<string, string>(PlatformLauncher.HeaderIdentity)
        {
            // Every poll is a query; at Information its SQL would bury the workers' output on a failure.
            ["Logging__LogLevel__Default"] = "Warning",
            // Its first writes can take longer than the 30 s budget on a loaded 2-core machine, which is not what these tests test.
            ["GraphQL__RequestTimeoutSeconds"] = "180",
        });
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
            await Eventually.IsTrueAsync(() => LabelingHttp.IsReadyAsync(http), [labeling], "labeling ready");
            return (labeling, url);
        }
        catch
        {
            await labeling.DisposeAsync();
            throw;
        }
    }

    /// <param name="overrides">Settings that replace <see cref="PlatformLauncher.TrainingWorkerSettings"/>' defaults.</param>
    private static async Task<BackgroundProcess> StartWorkerAsync(string name, string labelingUrl, string state, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var settings = PlatformLauncher.TrainingWorkerSettings(name, labelingUrl, state,
            new Dictionary<string, string> { ["Training__Jobs__Epochs"] = Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }
        return await new PlatformLauncher(state).StartAsync(PlatformLauncher.Training, settings, name);
    }

    private static Task<JsonElement> JobAsync(HttpClient http, string id) =>
        LabelingHttp.GraphQLAsync(http, "query($id: ID!) { trainingJob(id: $id) { id status worker attempt versionId failureReason progress { attempt epoch } } }", new { id })
            .ContinueWith(task => task.Result.GetProperty("trainingJob"), TaskScheduler.Default);


    private static async Task<string> PsqlAsync(PostgresCluster postgres, string sql) =>
        (await ProcessRunner.RunAsync(Path.Combine(PostgresCluster.BinDirectory, "psql"),
            ["-h", "127.0.0.1", "-p", postgres.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres", "-At", "-c", sql]))
            .EnsureSuccess("psql").Output;
}
