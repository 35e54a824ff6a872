using System.Text.Json;

using static Cl2.EndToEnd.LabelingHttp;

namespace Cl2.EndToEnd.Deploy;

/// <summary>
/// training/deploy/slurm/cl2-training-worker.sbatch on a one-node Slurm cluster (slurmctld and slurmd on this machine,
/// <see cref="SlurmCluster"/>) against a running labeling: the worker the batch job starts claims a training job and
/// completes it, then exits by itself (<c>Training:Jobs:MaxJobs</c>), which ends the Slurm job.
/// </summary>
public sealed class SlurmTrainingWorkerTests
{
    private static readonly string Script = Path.Combine(Repository.Root, "training", "deploy", "slurm", "cl2-training-worker.sbatch");

    [Fact]
    public async Task a_batch_job_runs_a_worker_that_completes_its_one_training_job_then_exits()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var state = Directory.CreateTempSubdirectory("cl2-e2e-slurm-").FullName;
        var launcher = new PlatformLauncher(state, postgres.ConnectionString);
        await using var labeling = await launcher.StartAsync(PlatformLauncher.Labeling,
            new Dictionary<string, string>(PlatformLauncher.HeaderIdentity) { ["Logging__LogLevel__Default"] = "Warning" });
        await using var slurm = await SlurmCluster.StartAsync();
        BackgroundProcess[] services = [labeling, .. slurm.Daemons];
        using var http = new HttpClient { BaseAddress = new Uri(launcher.LabelingUrl), Timeout = TimeSpan.FromMinutes(2) };
        await Eventually.IsTrueAsync(async () => await IsReadyAsync(http), services, "labeling ready", timeoutSeconds: 120);
        var model = await GraphQLAsync(http, "mutation { registerModel(input: { name: \"liver-slurm\", task: \"liver-ct\" }) { id } }");
        var jobId = (await GraphQLAsync(http, "mutation($model: ID!) { requestTraining(input: { modelId: $model, trigger: \"slurm\" }) { id } }",
            new { model = model.GetProperty("registerModel").GetProperty("id").GetString() })).GetProperty("requestTraining").GetProperty("id").GetString();

        // The worker as ./cl2 up would start it, here through sbatch (which passes this environment on to the job).
        var (assembly, environment) = await launcher.CommandAsync(PlatformLauncher.Training, CancellationToken.None);
        foreach (var (key, value) in PlatformLauncher.HeaderIdentity)
        {
            environment[key] = value;
        }
        environment["CL2_WORKER"] = assembly;
        environment["Training__Jobs__PollInterval"] = "00:00:00.200";
        environment["Training__Jobs__SyntheticCases"] = "8";
        environment["Training__Jobs__SyntheticSize"] = "16";
        environment["Training__Jobs__Epochs"] = "2";
        environment["Training__Jobs__MaxJobs"] = "1";
        environment.Remove("Training__Jobs__WorkDirectory");
        environment.Remove("Training__Cache__Directory");
        environment.Remove("Health__StatusFile__Path");
        var output = Path.Combine(state, "slurm-%j.out");
        var slurmJob = await slurm.SubmitAsync(Script, ["--cpus-per-task=1", "--mem=1000", $"--output={output}", $"--chdir={state}"], environment);
        var log = () => File.Exists(output.Replace("%j", $"{slurmJob}", StringComparison.Ordinal))
            ? File.ReadAllText(output.Replace("%j", $"{slurmJob}", StringComparison.Ordinal)) : "(no output yet)";

        JsonElement finished = default;
        await Eventually.IsTrueAsync(async () =>
        {
            finished = (await GraphQLAsync(http, "query($id: ID!) { trainingJob(id: $id) { status worker failureReason } }", new { id = jobId }))
                .GetProperty("trainingJob");
            if (finished.GetProperty("status").GetString() is "SUCCEEDED" or "FAILED")
            {
                return true;
            }
            return await slurm.IsListedAsync(slurmJob) ? false
                : throw new Xunit.Sdk.XunitException($"Slurm job {slurmJob} ended before the training job finished:\n{log()}\n{slurm.Logs()}");
        }, services, $"the training job to finish (Slurm job {slurmJob})", timeoutSeconds: 300);
        Assert.Equal(("SUCCEEDED", $"slurm-{slurmJob}"), (finished.GetProperty("status").GetString(), finished.GetProperty("worker").GetString()));

        // No scancel: the worker stops after its one job, the batch script ends with it, and so does the Slurm job.
        await Eventually.IsTrueAsync(async () => !await slurm.IsListedAsync(slurmJob), services,
            $"Slurm job {slurmJob} to end once its worker ran its one job ({log()})", timeoutSeconds: 120);
        Assert.Equal("JobState=COMPLETED ExitCode=0:0", await slurm.StateAsync(slurmJob));
        Assert.Contains($"cl2 training worker slurm-{slurmJob}", log(), StringComparison.Ordinal);
        Directory.Delete(state, recursive: true);
    }
}
