using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Cl2.Labeling.Tests;

/// <summary>
/// Records each command (one round trip) that Npgsql sends to one PostgreSQL server, from Npgsql's own tracing (its
/// <c>Npgsql</c> activity source, one activity per command or batch), filtered by the server's port so that other test
/// classes' clusters in the same process do not count.
/// </summary>
public sealed class DatabaseCommands : IDisposable
{
    private readonly ConcurrentQueue<string> _texts = new();
    private readonly ActivityListener _listener;

    public DatabaseCommands(PostgresCluster postgres)
    {
        var port = postgres.Port.ToString(CultureInfo.InvariantCulture);
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (Convert.ToString(activity.GetTagItem("server.port"), CultureInfo.InvariantCulture) == port)
                {
                    _texts.Enqueue(activity.GetTagItem("db.query.text") as string ?? activity.DisplayName);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The commands so far whose SQL names <paramref name="table"/>.</summary>
    public int Naming(string table) => _texts.Count(text => text.Contains(table, StringComparison.Ordinal));

    public IReadOnlyList<string> All => [.. _texts];

    public void Dispose() => _listener.Dispose();
}
