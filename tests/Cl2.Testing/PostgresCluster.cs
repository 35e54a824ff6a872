namespace Cl2.Testing;

/// <summary>
/// A throw-away PostgreSQL cluster on a free loopback port (initdb + pg_ctl, about a second), for tests that need
/// a real database. As root the cluster is owned and run by the <c>postgres</c> user, since initdb refuses root.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private readonly string _root;
    private readonly string _dataDirectory;
    private readonly bool _runAsPostgres;
    private readonly bool _durable;

    private PostgresCluster(string root, int port, bool runAsPostgres, bool durable)
    {
        this._root = root;
        _dataDirectory = Path.Combine(root, "data");
        Port = port;
        this._runAsPostgres = runAsPostgres;
        this._durable = durable;
    }

    public int Port { get; }

    /// <summary>The postmaster's process id (its backends are its children), from postmaster.pid.</summary>
    public int ServerProcessId => int.Parse(File.ReadLines(Path.Combine(_dataDirectory, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=5;Command Timeout=30";

    public static string BinDirectory =>
        Environment.GetEnvironmentVariable("CL2_PG_BIN") is { Length: > 0 } configured ? configured : "/usr/lib/postgresql/15/bin";

    public static Task<PostgresCluster> CreateAsync(CancellationToken cancellationToken = default) => CreateAsync(durable: false, cancellationToken);

    /// <param name="durable">fsync, synchronous commit and full-page writes on, as in production (for benchmarks);
    /// tests leave them off, since a throw-away cluster need not survive a crash.</param>
    public static async Task<PostgresCluster> CreateAsync(bool durable, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(Path.Combine(BinDirectory, "initdb")))
        {
            throw new InvalidOperationException($"PostgreSQL 15 is not installed in {BinDirectory}: run ./cl2 test, which installs it.");
        }
        var runAsPostgres = Environment.UserName == "root";
        var root = Directory.CreateTempSubdirectory("cl2-pg-").FullName;
        if (runAsPostgres)
        {
            await ProcessRunner.RunAsync("chown", ["postgres:postgres", root], cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        var cluster = new PostgresCluster(root, FreePort.Next(), runAsPostgres, durable);
        (await cluster.RunAsync("initdb", ["-D", cluster._dataDirectory, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"],
            cancellationToken).ConfigureAwait(false)).EnsureSuccess("initdb");
        await cluster.StartAsync(cancellationToken).ConfigureAwait(false);
        return cluster;
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var settings = $"-c listen_addresses=127.0.0.1 -p {Port} -k {_root}" +
            (_durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        (await RunAsync("pg_ctl", ["-D", _dataDirectory, "-l", Path.Combine(_root, "postgres.log"), "-o", settings, "-w", "-t", "60", "start"],
            cancellationToken).ConfigureAwait(false)).EnsureSuccess("pg_ctl start");
    }

    public async Task StopAsync(CancellationToken cancellationToken = default) =>
        (await RunAsync("pg_ctl", ["-D", _dataDirectory, "-m", "fast", "-w", "-t", "60", "stop"], cancellationToken).ConfigureAwait(false))
            .EnsureSuccess("pg_ctl stop");

    /// <summary>
    /// <c>pg_dump -Fc</c> of database <paramref name="database"/> into <paramref name="path"/>: one consistent snapshot,
    /// taken while the services keep writing (docs/deploy.md, "Backup and restore"). A client over TCP, so it runs as
    /// whoever runs the test.
    /// </summary>
    public async Task DumpAsync(string path, string database = "postgres", CancellationToken cancellationToken = default) =>
        (await ProcessRunner.RunAsync(Path.Combine(BinDirectory, "pg_dump"),
            ["-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", "-Fc", "-f", path, database], TimeSpan.FromMinutes(5),
            cancellationToken: cancellationToken).ConfigureAwait(false)).EnsureSuccess("pg_dump");

    /// <summary><c>pg_restore</c> of a <see cref="DumpAsync"/> file into database <paramref name="database"/> of this cluster.</summary>
    public async Task RestoreAsync(string path, string database = "postgres", CancellationToken cancellationToken = default) =>
        (await ProcessRunner.RunAsync(Path.Combine(BinDirectory, "pg_restore"),
            ["-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", "--no-owner", "--exit-on-error", "-d", database, path], TimeSpan.FromMinutes(5),
            cancellationToken: cancellationToken).ConfigureAwait(false)).EnsureSuccess("pg_restore");

    public async ValueTask DisposeAsync()
    {
        await RunAsync("pg_ctl", ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"], CancellationToken.None).ConfigureAwait(false);
        Directory.Delete(_root, recursive: true);
    }

    private Task<ProcessResult> RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var path = Path.Combine(BinDirectory, tool);
        return _runAsPostgres
            ? ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments], cancellationToken: cancellationToken)
            : ProcessRunner.RunAsync(path, arguments, cancellationToken: cancellationToken);
    }
}
