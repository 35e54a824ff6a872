using System.Globalization;
using System.Text;
using Npgsql;

namespace Cl2.Labeling.GraphQL;

/// <summary>
/// The PostgreSQL notification channel on which replicas tell each other which event sequence numbers they committed
/// (<see cref="CommittedEventsNotifier"/> sends, <see cref="CommittedEventsFeed"/> listens). The payload is the first
/// and last sequence number, a few bytes however many events a transaction stored (NOTIFY payloads are limited to 8000
/// bytes); listeners read the events themselves.
/// </summary>
public static class CommittedEventsChannel
{
    /// <summary>The application_name of each replica's listening connection, to find it in pg_stat_activity.</summary>
    public const string ApplicationName = "cl2-labeling events feed";

    /// <summary>The channel for the events of one schema (several deployments or test hosts can share a database).</summary>
    public static string Name(string schema)
    {
        var channel = $"{schema}.mt_events";
        // Longer channel names are refused by pg_notify.
        return Encoding.UTF8.GetByteCount(channel) <= 63
            ? channel
            : throw new InvalidOperationException($"The event schema name '{schema}' is too long for a notification channel: use at most 53 characters.");
    }

    public static string Payload(long first, long last) => string.Create(CultureInfo.InvariantCulture, $"{first} {last}");

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
}
