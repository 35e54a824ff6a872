using Cl2.Labeling.Cases;
using Marten;
using Marten.Events;
using Npgsql;
using NpgsqlTypes;

namespace Cl2.Labeling.Labels;

/// <summary>
/// Stores an import's <see cref="LabelSubmitted"/> events with the rows Marten itself would write (the events in
/// mt_events on each case's stream, the streams' new versions, the inline <see cref="Case"/> snapshots and the
/// <see cref="LabelRevision"/> documents), but with one set-based statement per table in one transaction. Marten's
/// append and inline projections issue three statements per event (~1 ms each on 10,000 streams, i.e. ~1,000
/// events/s); these four statements store 10,000 events in a fraction of a second.
/// </summary>
public static class LabelImportStorage
{
    /// <param name="cases">Every case the events name, as loaded before deciding: its Version is the stream version
    /// the import was decided on, and the import fails if any stream moved since.</param>
    /// <returns>False when someone appended to one of the streams since <paramref name="cases"/> were loaded; then
    /// nothing is stored.</returns>
    public static async Task<bool> TryWriteAsync(
        IDocumentStore store,
        NpgsqlDataSource dataSource,
        string tenantId,
        IReadOnlyDictionary<Guid, Case> cases,
        IReadOnlyList<LabelSubmitted> submitted,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var options = store.Options;
        var caseTable = TableOf<Case>(options);
        var revisionTable = TableOf<LabelRevision>(options);
        // Marten's own name for the event type (registered on first use, so not necessarily among the known ones yet).
        var eventType = ((EventGraph)options.Events).EventMappingFor(typeof(LabelSubmitted));
        var eventSchema = options.Events.DatabaseSchemaName;
        var serializer = options.Serializer();
        // The same lazy schema creation a Marten session does: the first import may come before any revision exists.
        await store.Storage.Database.EnsureStorageExistsAsync(typeof(LabelRevision), cancellationToken);

        // Each event's version on its stream, and each case's snapshot after its last event, as the inline projection folds them.
        var versions = new long[submitted.Count];
        var snapshots = new Dictionary<Guid, Case>();
        for (var index = 0; index < submitted.Count; index++)
        {
            var @event = submitted[index];
            var before = snapshots.GetValueOrDefault(@event.CaseId) ?? cases[@event.CaseId];
            var after = Case.Apply(@event, before);
            after.Version = versions[index] = before.Version + 1;
            snapshots[@event.CaseId] = after;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        // Events first, then the streams, in the order Marten's own append takes its locks, so that an import and a
        // concurrent single append cannot deadlock: the later of the two fails on the stream's version.
        batch.BatchCommands.Add(Command($"""
            insert into {eventSchema}.mt_events (seq_id, id, stream_id, version, data, type, tenant_id, timestamp, mt_dotnet_type, is_archived)
            select nextval('{eventSchema}.mt_events_sequence'), e.id, e.stream_id, e.version, e.data, $5, $6, $7, $8, false
            from unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::jsonb[]) as e(id, stream_id, version, data)
            """,
            Value(submitted.Select(_ => Guid.CreateVersion7()).ToArray()), Value(submitted.Select(@event => @event.CaseId).ToArray()),
            Value(versions), Json([.. submitted.Select(serializer.ToJson)]),
            Value(eventType.EventTypeName), Value(tenantId), Value(now), Value(eventType.DotNetTypeName)));
        var streams = batch.BatchCommands.Count;
        batch.BatchCommands.Add(Command($"""
            update {eventSchema}.mt_streams as s set version = u.version, timestamp = now()
            from unnest($1::uuid[], $2::bigint[], $3::bigint[]) as u(id, expected, version)
            where s.id = u.id and s.version = u.expected
            """,
            Value(snapshots.Keys.ToArray()), Value(snapshots.Keys.Select(id => cases[id].Version).ToArray()),
            Value(snapshots.Values.Select(@case => @case.Version).ToArray())));
        var snapshotUpdate = batch.BatchCommands.Count;
        batch.BatchCommands.Add(Command($"""
            update {caseTable} as d set data = u.data, mt_version = u.version, mt_last_modified = transaction_timestamp()
            from unnest($1::uuid[], $2::jsonb[], $3::bigint[]) as u(id, data, version)
            where d.id = u.id
            """,
            Value(snapshots.Keys.ToArray()), Json([.. snapshots.Values.Select(serializer.ToJson)]),
            Value(snapshots.Values.Select(@case => @case.Version).ToArray())));
        batch.BatchCommands.Add(Command($"""
            insert into {revisionTable} (id, data, mt_version, mt_dotnet_type, mt_last_modified)
            select u.id, u.data, 1, $3, transaction_timestamp()
            from unnest($1::uuid[], $2::jsonb[]) as u(id, data)
            """,
            Value(submitted.Select(@event => @event.LabelRevisionId).ToArray()),
            Json([.. submitted.Select(@event => serializer.ToJson(LabelRevisionProjection.Create(@event)))]),
            Value(typeof(LabelRevision).FullName!)));
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException exception) when (
            exception.SqlState is PostgresErrorCodes.DeadlockDetected ||
            exception is { SqlState: PostgresErrorCodes.UniqueViolation, TableName: "mt_events" })
        {
            // Someone appended the same versions to one of these streams: theirs stand, this import stores nothing.
            return false;
        }
        if (batch.BatchCommands[streams].RecordsAffected != snapshots.Count || batch.BatchCommands[snapshotUpdate].RecordsAffected != snapshots.Count)
        {
            return false;
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
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
}
