using System.Globalization;
using System.Text;
using Npgsql;

namespace Cl2.Labeling.GraphQL;

/// <summary>
/// A statement trigger on Marten's mt_events that sends, in the inserting transaction, one NOTIFY with the first and
/// last sequence number the statement inserted. PostgreSQL delivers it only if and when that transaction commits, to
/// every replica listening, in commit order; the payload stays a few bytes however many events a statement inserts
/// (NOTIFY payloads are limited to 8000 bytes), and listeners read the events themselves. Being on the table, it sees
/// every writer: Marten's appends and the bulk label import's own insert alike. The price: PostgreSQL serializes the
/// commits of notifying transactions (docs/architecture.md, "Scaling past one machine").
/// </summary>
public static class CommittedEventsTrigger
{
    /// <summary>Held while a replica installs the trigger and starts listening, so replicas do not race on the DDL.</summary>
    public const long InstallLockKey = 0x636C325F6E6F7469; // "cl2_noti"

    /// <summary>The application_name of each replica's listening connection, to find it in pg_stat_activity.</summary>
    public const string ApplicationName = "cl2-labeling events feed";

    private const string Name = "cl2_notify_events_committed";

    /// <summary>The channel for the events of one schema (several deployments or test hosts can share a database).</summary>
    public static string Channel(string schema)
    {
        var channel = $"{schema}.mt_events";
        // Longer channel names are refused by pg_notify, which would fail every insert into mt_events.
        return Encoding.UTF8.GetByteCount(channel) <= 63
            ? channel
            : throw new InvalidOperationException($"The event schema name '{schema}' is too long for a notification channel: use at most 53 characters.");
    }

    /// <summary>(first, last) sequence number of a notification's payload, or null for a payload that is not ours.</summary>
    public static (long First, long Last)? Parse(string payload)
    {
        var parts = payload.Split(' ');
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            ? (first, last)
            : null;
    }

    /// <summary>Creates or updates the trigger function and creates the trigger if missing, inside <paramref name="transaction"/>.</summary>
    public static async Task InstallAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, CancellationToken cancellationToken)
    {
        var channel = Channel(schema);
        await using var command = new NpgsqlCommand($"""
            create or replace function {schema}.{Name}() returns trigger language plpgsql as $body$
            declare
                first_sequence bigint;
                last_sequence bigint;
            begin
                select min(seq_id), max(seq_id) into first_sequence, last_sequence from committed;
                if first_sequence is not null then
                    perform pg_notify('{channel}', first_sequence || ' ' || last_sequence);
                end if;
                return null;
            end
            $body$;
            do $do$ begin
                if not exists (select from pg_trigger where tgname = '{Name}' and tgrelid = '{schema}.mt_events'::regclass) then
                    create trigger {Name} after insert on {schema}.mt_events referencing new table as committed
                        for each statement execute function {schema}.{Name}();
                end if;
            end $do$;
            listen "{channel}";
            """, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Whether the trigger is still on mt_events. Dropping the table (Marten's CompletelyRemoveAll) drops it, and the
    /// table Marten makes again would notify nobody.
    /// </summary>
    public static async Task<bool> IsInstalledAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"select exists (select from pg_trigger where tgname = '{Name}' and tgrelid = to_regclass('{schema}.mt_events'))", connection);
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    /// <summary>The highest event sequence number stored, 0 while Marten has not made mt_events yet.</summary>
    public static async Task<long> HighestSequenceAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        await using var exists = new NpgsqlCommand($"select to_regclass('{schema}.mt_events') is not null", connection);
        if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
        {
            return 0;
        }
        await using var highest = new NpgsqlCommand($"select coalesce(max(seq_id), 0) from {schema}.mt_events", connection);
        return (long)(await highest.ExecuteScalarAsync(cancellationToken))!;
    }

    public static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"set application_name = '{ApplicationName}'; select pg_advisory_xact_lock({InstallLockKey})", connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
