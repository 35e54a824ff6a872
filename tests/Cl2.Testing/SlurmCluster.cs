using System.Globalization;
using System.Security.Cryptography;

namespace Cl2.Testing;

/// <summary>
/// A one-node Slurm cluster on this machine (Debian's slurmctld, slurmd, slurm-client and munge): munged on a socket of
/// its own, slurmctld and slurmd on free ports, state, spool and logs in a temporary folder, jobs run as their submitter
/// without cgroups (proctrack/linuxproc, task/none). slurmd must run as root. Disposing it stops the daemons, and with
/// slurmd every job step it started.
/// </summary>
public sealed class SlurmCluster : IAsyncDisposable
{
    private readonly List<BackgroundProcess> _daemons = [];

    private SlurmCluster(string folder) => Folder = folder;

    public string Folder { get; }

    public string ConfigPath => Path.Combine(Folder, "slurm.conf");

    /// <summary>The daemons, for failure messages.</summary>
    public IReadOnlyList<BackgroundProcess> Daemons => _daemons;

    public static async Task<SlurmCluster> StartAsync(CancellationToken cancellationToken = default)
    {
        if (!string.Equals(System.Environment.UserName, "root", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"slurmd runs jobs as their submitter and must run as root; this test runs as {System.Environment.UserName}.");
        }
        var cluster = new SlurmCluster(Directory.CreateTempSubdirectory("cl2-slurm-").FullName);
        try
        {
            await cluster.StartDaemonsAsync(cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task StartDaemonsAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Debian's Slurm runs on Linux.");
        }
        foreach (var name in new[] { "state", "spool", "log", "run", "munge", "socket" })
        {
            Directory.CreateDirectory(Path.Combine(Folder, name));
        }
        // munged checks its folders: the key's private, the socket's reachable by everyone.
        File.SetUnixFileMode(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(Path.Combine(Folder, "socket"), File.GetUnixFileMode(Folder));
        File.SetUnixFileMode(Path.Combine(Folder, "munge"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var key = Path.Combine(Folder, "munge", "munge.key");
        await File.WriteAllBytesAsync(key, RandomNumberGenerator.GetBytes(1024), cancellationToken).ConfigureAwait(false);
        File.SetUnixFileMode(key, UnixFileMode.UserRead);
        var socket = Path.Combine(Folder, "socket", "munge.socket");
        _daemons.Add(BackgroundProcess.Start("munged", "munged", ["--foreground", $"--socket={socket}", $"--key-file={key}",
            $"--pid-file={Path.Combine(Folder, "munge", "munged.pid")}", $"--log-file={Path.Combine(Folder, "munge", "munged.log")}",
            $"--seed-file={Path.Combine(Folder, "munge", "seed")}"]));
        await File.WriteAllTextAsync(ConfigPath, Configuration(socket, FreePort.Next(), FreePort.Next()), cancellationToken).ConfigureAwait(false);
        await UntilAsync(() => Task.FromResult(File.Exists(socket)), "munged to listen on its socket", cancellationToken).ConfigureAwait(false);
        _daemons.Add(BackgroundProcess.Start("slurmctld", "slurmctld", ["-D", "-f", ConfigPath], CommandEnvironment()));
        _daemons.Add(BackgroundProcess.Start("slurmd", "slurmd", ["-D", "-f", ConfigPath, "-N", "localhost"], CommandEnvironment()));
        await UntilAsync(async () => (await RunAsync("sinfo", ["-h", "-o", "%T"], cancellationToken).ConfigureAwait(false)).Output.Trim() == "idle",
            "the node to be idle (sinfo)", cancellationToken).ConfigureAwait(false);
    }

    private string Configuration(string socket, int controllerPort, int nodePort) => $"""
        ClusterName=cl2test
        SlurmctldHost=localhost(127.0.0.1)
        SlurmctldPort={controllerPort}
        SlurmdPort={nodePort}
        AuthType=auth/munge
        CredType=cred/munge
        AuthInfo=socket={socket}
        SlurmUser=root
        SlurmdUser=root
        StateSaveLocation={Path.Combine(Folder, "state")}
        SlurmdSpoolDir={Path.Combine(Folder, "spool")}
        SlurmctldPidFile={Path.Combine(Folder, "run", "slurmctld.pid")}
        SlurmdPidFile={Path.Combine(Folder, "run", "slurmd.pid")}
        SlurmctldLogFile={Path.Combine(Folder, "log", "slurmctld.log")}
        SlurmdLogFile={Path.Combine(Folder, "log", "slurmd.log")}
        ProctrackType=proctrack/linuxproc
        TaskPlugin=task/none
        JobAcctGatherType=jobacct_gather/none
        AccountingStorageType=accounting_storage/none
        SelectType=select/cons_tres
        SelectTypeParameters=CR_CPU_Memory
        ReturnToService=2
        MpiDefault=none
        NodeName=localhost NodeAddr=127.0.0.1 CPUs={System.Environment.ProcessorCount} RealMemory=2000 State=UNKNOWN
        PartitionName=cl2 Nodes=localhost Default=YES MaxTime=INFINITE State=UP

        """;

    /// <summary>What Slurm's commands need to find this cluster.</summary>
    public IReadOnlyDictionary<string, string> CommandEnvironment() => new Dictionary<string, string> { ["SLURM_CONF"] = ConfigPath };

    /// <summary>Submits <paramref name="script"/> with sbatch, which passes <paramref name="environment"/> on to the job; its job id.</summary>
    public async Task<int> SubmitAsync(string script, IEnumerable<string> options, IReadOnlyDictionary<string, string> environment,
        CancellationToken cancellationToken = default)
    {
        var variables = new Dictionary<string, string>(environment) { ["SLURM_CONF"] = ConfigPath };
        var submitted = (await ProcessRunner.RunAsync("sbatch", ["--parsable", .. options, script], TimeSpan.FromSeconds(30), variables,
            cancellationToken).ConfigureAwait(false)).EnsureSuccess($"sbatch {script}");
        return int.Parse(submitted.Output.Trim().Split(';')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>Whether Slurm still lists the job (pending, running or completing).</summary>
    public async Task<bool> IsListedAsync(int jobId, CancellationToken cancellationToken = default) =>
        (await RunAsync("squeue", ["-h", "-j", jobId.ToString(CultureInfo.InvariantCulture), "-o", "%i"], cancellationToken).ConfigureAwait(false))
        .Output.Trim().Length > 0;

    /// <summary>
    /// The job's state and exit code as slurmctld reports them (<c>JobState=COMPLETED … ExitCode=0:0</c>); it remembers a
    /// finished job for MinJobAge (300 s), and this cluster keeps no accounting database for sacct.
    /// </summary>
    public async Task<string> StateAsync(int jobId, CancellationToken cancellationToken = default)
    {
        var shown = (await RunAsync("scontrol", ["-o", "show", "job", jobId.ToString(CultureInfo.InvariantCulture)], cancellationToken)
            .ConfigureAwait(false)).EnsureSuccess("scontrol show job").Output;
        return string.Join(' ', shown.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(field => field.StartsWith("JobState=", StringComparison.Ordinal) || field.StartsWith("ExitCode=", StringComparison.Ordinal)));
    }

    /// <summary>The controller's and the node's logs, for failure messages.</summary>
    public string Logs() => string.Join("\n", new[] { "slurmctld.log", "slurmd.log" }.Select(name => Path.Combine(Folder, "log", name))
        .Where(File.Exists).Select(path => $"--- {Path.GetFileName(path)}\n{string.Join("\n", File.ReadLines(path).TakeLast(40))}"));

    private Task<ProcessResult> RunAsync(string command, IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        ProcessRunner.RunAsync(command, arguments, TimeSpan.FromSeconds(30), CommandEnvironment(), cancellationToken);

    private async Task UntilAsync(Func<Task<bool>> condition, string what, CancellationToken cancellationToken)
    {
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); !await condition().ConfigureAwait(false);
             await Task.Delay(200, cancellationToken).ConfigureAwait(false))
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(60) || _daemons.Any(daemon => daemon.HasExited))
            {
                throw new InvalidOperationException($"Slurm did not start: waited for {what}.\n" +
                    string.Join("\n", _daemons.Select(daemon => $"--- {daemon.Name}{(daemon.HasExited ? " (exited)" : "")}\n{daemon.Output}")) + "\n" + Logs());
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var index = _daemons.Count - 1; index >= 0; index--)
        {
            await _daemons[index].DisposeAsync().ConfigureAwait(false);
        }
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A job step may still be writing there as it dies; the folder is temporary.
        }
    }
}
