using System.Globalization;
using Cl2.Labeling.Database;
using JasperFx;
using JasperFx.Events.Daemon;
using Marten;
using Npgsql;
using Weasel.Core;

namespace Cl2.EndToEnd.ScaleOut;

/// <summary>
/// Labeling's projections rebuilt from its event streams and compared, document by document, with what the running
/// replicas wrote. The streams (<c>mt_streams</c>, <c>mt_events</c>) are copied into a fresh schema, and Marten's projection
/// daemon rebuilds every projection there (<c>RebuildProjectionAsync</c>), with the store configuration labeling runs
/// (<see cref="EventStoreRegistration.Project"/>); the live schema is only read.
/// </summary>
internal static class ProjectionRebuild
{
    /// <param name="Compared">Documents in the rebuilt projections' tables.</param>
    /// <param name="Differences">One line per document that is in one schema only, or whose JSON differs.</param>
    public sealed record Comparison(int Compared, IReadOnlyList<string> Differences);

    public static async Task<Comparison> CompareAsync(string connectionString, string liveSchema, CancellationToken cancellationToken = default)
    {
        var rebuilt = $"rebuilt_{Guid.NewGuid():N}"[..16];
        await using var store = DocumentStore.For(options =>
        {
            options.Connection(connectionString);
            options.DatabaseSchemaName = rebuilt;
            options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
            options.UseSystemTextJsonForSerialization(EnumStorage.AsString);
            options.DisableNpgsqlLogging = true;
            EventStoreRegistration.Project(options);
        });
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        try
        {
            foreach (var table in new[] { "mt_streams", "mt_events" })
            {
                var columns = string.Join(", ", await ColumnsAsync(connection, rebuilt, table, cancellationToken));
                await ExecuteAsync(connection, $"insert into {rebuilt}.{table} ({columns}) select {columns} from {liveSchema}.{table}", cancellationToken);
            }
            await ExecuteAsync(connection, $"select setval('{rebuilt}.mt_events_sequence', (select coalesce(max(seq_id), 1) from {rebuilt}.mt_events))", cancellationToken);

            using (var daemon = await store.BuildProjectionDaemonAsync())
            {
                // The names come quoted for display ('Dataset'); the daemon takes them bare.
                foreach (var projection in store.Options.Projections.AllProjectionNames().Select(name => name.Trim('\'')))
                {
                    await daemon.RebuildProjectionAsync(projection, TimeSpan.FromMinutes(3), cancellationToken);
                }
            }

            var compared = 0;
            var differences = new List<string>();
            foreach (var table in await DocumentTablesAsync(connection, rebuilt, cancellationToken))
            {
                compared += int.Parse((await QueryAsync(connection, $"select count(*)::text from {rebuilt}.{table}", cancellationToken))[0], CultureInfo.InvariantCulture);
                // jsonb equality: the same keys and values, whatever their order in the text.
                differences.AddRange(await QueryAsync(connection, $"""
                    select '{table} ' || coalesce(live.id::text, rebuilt.id::text) || ': ' ||
                           case when live.id is null then 'only in the rebuild' when rebuilt.id is null then 'only in the live projection'
                                else 'live ' || live.data::text || ' rebuilt ' || rebuilt.data::text end
                    from {liveSchema}.{table} live full join {rebuilt}.{table} rebuilt on live.id = rebuilt.id
                    where live.id is null or rebuilt.id is null or live.data <> rebuilt.data
                    """, cancellationToken));
            }
            return new Comparison(compared, differences);
        }
        finally
        {
            await ExecuteAsync(connection, $"drop schema {rebuilt} cascade", CancellationToken.None);
        }
    }

    private static Task<List<string>> ColumnsAsync(NpgsqlConnection connection, string schema, string table, CancellationToken cancellationToken) =>
        QueryAsync(connection, $"select column_name::text from information_schema.columns where table_schema = '{schema}' and table_name = '{table}' order by ordinal_position",
            cancellationToken);

    private static Task<List<string>> DocumentTablesAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken) =>
        QueryAsync(connection, $"select table_name::text from information_schema.tables where table_schema = '{schema}' and table_name like 'mt\\_doc\\_%' order by 1",
            cancellationToken);

    private static async Task<List<string>> QueryAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(reader.GetString(0));
        }
        return rows;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
