using Cl2.Labeling.Cases;
using JasperFx.Events;
using Marten;
using Marten.Events;
using Npgsql;
using NpgsqlTypes;

namespace Cl2.Labeling.Labels;

/// <summary>
/// Stores an import's <see cref="LabelSubmitted"/> events with the rows Marten itself would write (the events in
/// mt_events on each case's stream, the streams' new versions, the inline <see cref="Case"/> snapshots and the
/// <see cref="LabelRevision"/> documents), but with one set-based statement per table for every few hundred streams,
/// all in one transaction. Marten's append and inline projections issue three statements per event, which kept a
/// 10,000-event import at ~1,000 events/s (docs/benchmarks.md, graphql).
/// </summary>
public static class LabelImportStorage
{
    /// <param name="cases">Every case the events name, as loaded before deciding: its Version is the stream version
    /// the import was decided on, and the import fails if any stream moved since.</param>
    /// <returns>The first and last event sequence number stored, or null when someone appended to one of the streams
    /// since <paramref name="cases"/> were loaded; then nothing is stored.</returns>
    public static async Task<(long First, long Last)?> TryWriteAsync(
        IDocumentStore store,
        NpgsqlDataSource dataSource,
        string tenantId,
        IReadOnlyDictionary<Guid, Case> cases,
        IReadOnlyList<LabelSubmitted> submitted,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var options = store.Options;
        var statements = new Statements(
            TableOf<Case>(options),
            TableOf<LabelRevision>(options),
            options.Events.DatabaseSchemaName,
            // Marten's own name for the event type (registered on first use, so not necessarily among the known ones yet).
            ((EventGraph)options.Events).EventMappingFor(typeof(LabelSubmitted)),
            options.Serializer(),
            tenantId,
            now);
        // The same lazy schema creation a Marten session does: the first import may come before any revision exists.
        await store.Storage.Database.EnsureStorageExistsAsync(typeof(LabelRevision), cancellationToken);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // A few hundred streams per batch, so that the next batch is serialized here while PostgreSQL stores the last.
        var chunks = submitted.GroupBy(@event => @event.CaseId).Chunk(StreamsPerBatch).Select(streams => streams.SelectMany(stream => stream).ToArray());
        (NpgsqlBatch Batch, int Streams, Task<(long, long)> Running)? pending = null;
        (long First, long Last) sequences = (long.MaxValue, long.MinValue);
        bool Stored((long First, long Last)? batch)
        {
            if (batch is { } stored)
            {
                sequences = (Math.Min(sequences.First, stored.First), Math.Max(sequences.Last, stored.Last));
            }
            return batch is not null;
        }
        try
        {
            foreach (var chunk in chunks)
            {
                var batch = statements.Batch(connection, transaction, cases, chunk, out var streams);
                if (pending is { } last && !Stored(await CompletedAsync(last)))
                {
                    return null;
                }
                pending = (batch, streams, ExecuteAsync(batch, cancellationToken));
            }
            if (pending is { } final && !Stored(await CompletedAsync(final)))
            {
                return null;
            }
        }
        catch (PostgresException exception) when (
            exception.SqlState is PostgresErrorCodes.DeadlockDetected ||
            exception is { SqlState: PostgresErrorCodes.UniqueViolation, TableName: "mt_events" })
        {
            // Someone appended the same versions to one of these streams: theirs stand, this import stores nothing.
            return null;
        }
        await transaction.CommitAsync(cancellationToken);
        return sequences;
    }

    private const int StreamsPerBatch = 500;

    /// <summary>Runs a batch; its first statement answers the first and last sequence number of the events it inserted.</summary>
    private static async Task<(long, long)> ExecuteAsync(NpgsqlBatch batch, CancellationToken cancellationToken)
    {
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var sequences = (reader.GetInt64(0), reader.GetInt64(1));
        while (await reader.NextResultAsync(cancellationToken))
        {
        }
        return sequences;
    }

    /// <summary>Waits for a batch: the sequence numbers of its events, or null when one of its streams or snapshots had
    /// moved on (its version check matched no row).</summary>
    private static async Task<(long First, long Last)?> CompletedAsync((NpgsqlBatch Batch, int Streams, Task<(long, long)> Running) pending)
    {
        await using var batch = pending.Batch;
        var sequences = await pending.Running;
        return batch.BatchCommands[Statements.StreamUpdate].RecordsAffected == pending.Streams &&
            batch.BatchCommands[Statements.SnapshotUpdate].RecordsAffected == pending.Streams
            ? sequences
            : null;
    }

    private static string TableOf<T>(IReadOnlyStoreOptions options)
    {
        var mapping = options.FindOrResolveDocumentType(typeof(T));
        // Fields only for searching are Marten's own columns (Case.Version is mt_version), which the statements write.
        var duplicated = mapping.DuplicatedFields.Where(field => !field.OnlyForSearching).Select(field => field.ColumnName).ToArray();
        if (duplicated.Length > 0)
        {
            // The statements above write id, data and Marten's metadata only; a duplicated column would be left stale.
            throw new InvalidOperationException(
                $"{typeof(T).Name} has duplicated fields ({string.Join(", ", duplicated)}), which the bulk label import does not write: add them to {nameof(LabelImportStorage)}.");
        }
        return mapping.TableName.QualifiedName;
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter<T> Value<T>(T value) => new() { TypedValue = value };

    private static NpgsqlParameter<string[]> Json(string[] values) => new() { TypedValue = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb };

    private sealed record Statements(string CaseTable, string RevisionTable, string EventSchema, IEventType EventType, ISerializer Serializer, string TenantId, DateTimeOffset Now)
    {
        public const int StreamUpdate = 1;
        public const int SnapshotUpdate = 2;

        /// <param name="events">All the events of the streams they name, in order.</param>
        public NpgsqlBatch Batch(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyDictionary<Guid, Case> cases, LabelSubmitted[] events, out int streams)
        {
            // Each event's version on its stream, and each case's snapshot after its last event, as the inline projection folds them.
            var versions = new long[events.Length];
            var snapshots = new Dictionary<Guid, Case>();
            for (var index = 0; index < events.Length; index++)
            {
                var @event = events[index];
                var before = snapshots.GetValueOrDefault(@event.CaseId) ?? cases[@event.CaseId];
                var after = Case.Apply(@event, before);
                after.Version = versions[index] = before.Version + 1;
                snapshots[@event.CaseId] = after;
            }
            streams = snapshots.Count;
            var batch = new NpgsqlBatch(connection, transaction);
            // The updates name their rows by `id = any(…)` as well as by the join: PostgreSQL cannot know how many rows an
            // unnest of a parameter gives, and without it hashes the whole table for every batch (a sequential scan of
            // every stream and case, 20 times per 10,000 events) instead of looking up the batch's rows by primary key.
            // Events first, then the streams, in the order Marten's own append takes its locks, so that an import and a
            // concurrent single append cannot deadlock: the later of the two fails on the stream's version.
            batch.BatchCommands.Add(Command($"""
                with inserted as (
                    insert into {EventSchema}.mt_events (seq_id, id, stream_id, version, data, type, tenant_id, timestamp, mt_dotnet_type, is_archived)
                    select nextval('{EventSchema}.mt_events_sequence'), e.id, e.stream_id, e.version, e.data, $5, $6, $7, $8, false
                    from unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::jsonb[]) as e(id, stream_id, version, data)
                    returning seq_id)
                select min(seq_id), max(seq_id) from inserted
                """,
                Value(events.Select(_ => Guid.CreateVersion7()).ToArray()), Value(events.Select(@event => @event.CaseId).ToArray()),
                Value(versions), Json([.. events.Select(Serializer.ToJson)]),
                Value(EventType.EventTypeName), Value(TenantId), Value(Now), Value(EventType.DotNetTypeName)));
            batch.BatchCommands.Add(Command($"""
                update {EventSchema}.mt_streams as s set version = u.version, timestamp = now()
                from unnest($1::uuid[], $2::bigint[], $3::bigint[]) as u(id, expected, version)
                where s.id = any($1) and s.id = u.id and s.version = u.expected
                """,
                Value(snapshots.Keys.ToArray()), Value(snapshots.Keys.Select(id => cases[id].Version).ToArray()),
                Value(snapshots.Values.Select(@case => @case.Version).ToArray())));
            batch.BatchCommands.Add(Command($"""
                update {CaseTable} as d set data = u.data, mt_version = u.version, mt_last_modified = transaction_timestamp()
                from unnest($1::uuid[], $2::jsonb[], $3::bigint[]) as u(id, data, version)
                where d.id = any($1) and d.id = u.id
                """,
                Value(snapshots.Keys.ToArray()), Json([.. snapshots.Values.Select(Serializer.ToJson)]),
                Value(snapshots.Values.Select(@case => @case.Version).ToArray())));
            batch.BatchCommands.Add(Command($"""
                insert into {RevisionTable} (id, data, mt_version, mt_dotnet_type, mt_last_modified)
                select u.id, u.data, 1, $3, transaction_timestamp()
                from unnest($1::uuid[], $2::jsonb[]) as u(id, data)
                """,
                Value(events.Select(@event => @event.LabelRevisionId).ToArray()),
                Json([.. events.Select(@event => Serializer.ToJson(LabelRevisionProjection.Create(@event)))]),
                Value(typeof(LabelRevision).FullName!)));
            return batch;
        }
    }
}
