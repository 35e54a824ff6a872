using JasperFx;
using Marten;
using Marten.Exceptions;
using Npgsql;

namespace Cl2.Labeling.Database;

/// <summary>
/// The one way labeling writes events (the bulk label import's set-based SQL, <c>Labels/LabelImportStorage.cs</c>, is the
/// one fenced exception). Every mutation commits once, through one of these:
/// <list type="bullet">
/// <item><see cref="StartAsync{TAggregate}"/> and <see cref="StartManyAsync{TAggregate, TEvent}"/>: new streams.</item>
/// <item><see cref="DecideAsync{TAggregate}(IDocumentStore, Guid, Func{TAggregate, IReadOnlyList{object}}, CancellationToken)"/>:
/// fetch one stream for writing, decide, append, commit; when another writer appended in between, Marten's stream
/// version check refuses the commit and the decision is taken again on what they wrote (which may now refuse with a
/// typed error). With an expected version the caller's view is the one decided on and a moved stream is a conflict,
/// not a retry. A refusal can keep events of its own (a conflicted label revision stays in the case's history).</item>
/// <item><see cref="ClaimFirstAsync{TAggregate}"/>: the first of several streams that nobody else claims at the same moment.</item>
/// <item><see cref="DecideAndStartAsync{TAggregate, TFacts}"/>: a decision on one stream, with facts read in the same attempt,
/// that may also start new streams in the same commit (a policy that requests a training job exactly once), and
/// <see cref="DecideAndAppendAsync{TAggregate, TFacts}"/>, which also appends to existing streams (a scoring job's scores).</item>
/// </list>
/// </summary>
public static class StreamDecision
{
    private const int Attempts = 5;

    /// <summary>Starts one new stream (its id is fresh, so no one else can have written to it).</summary>
    public static Task StartAsync<TAggregate>(IDocumentStore store, Guid streamId, object started, CancellationToken cancellationToken)
        where TAggregate : class =>
        StartAsync<TAggregate>(store, streamId, [started], cancellationToken);

    /// <summary>Starts one new stream with several events in one commit (a start and the claim that goes with it).</summary>
    public static async Task StartAsync<TAggregate>(IDocumentStore store, Guid streamId, IReadOnlyList<object> events, CancellationToken cancellationToken)
        where TAggregate : class
    {
        await using var session = store.LightweightSession();
        session.Events.StartStream<TAggregate>(streamId, [.. events]);
        await session.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Starts a stream for each event <paramref name="decide"/> returns, and appends <paramref name="alongside"/>'s
    /// events to other streams (existing ones, or new ones it names), in one commit. When a unique index refuses the
    /// commit (someone stored the same thing at the same moment, and nothing of ours was stored), or another writer
    /// appended to one of those streams first, the decision is taken again on what they stored.
    /// </summary>
    public static async Task<IReadOnlyList<TEvent>> StartManyAsync<TAggregate, TEvent>(
        IDocumentStore store,
        Func<IQuerySession, CancellationToken, Task<IReadOnlyList<TEvent>>> decide,
        Func<TEvent, Guid> streamOf,
        Func<IReadOnlyList<TEvent>, IReadOnlyList<(Guid StreamId, object Event)>> alongside,
        CancellationToken cancellationToken)
        where TAggregate : class
        where TEvent : notnull
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            var started = await decide(session, cancellationToken);
            foreach (var @event in started)
            {
                session.Events.StartStream<TAggregate>(streamOf(@event), @event);
            }
            foreach (var (streamId, @event) in alongside(started))
            {
                session.Events.Append(streamId, @event);
            }
            try
            {
                await session.SaveChangesAsync(cancellationToken);
                return started;
            }
            catch (Exception exception) when (attempt < Attempts
                && (IsUniqueViolation(exception) || exception is ConcurrencyException or ExistingStreamIdCollisionException))
            {
                // Decide again: what the other writer stored is now there to be seen (and skipped, or refused). An event
                // for an existing stream that another writer appended to first is a moved stream, decided again too.
            }
        }
    }

    public static Task<TAggregate?> DecideAsync<TAggregate>(
        IDocumentStore store,
        Guid streamId,
        Func<TAggregate?, IReadOnlyList<object>> decide,
        CancellationToken cancellationToken)
        where TAggregate : class =>
        DecideAsync(store, streamId, null, decide, null, cancellationToken);

    /// <param name="keepOnRefusal">Events to record although <paramref name="decide"/> refused (with this error), on the
    /// stream as it was decided on; the refusal is thrown after they are committed.</param>
    public static Task<TAggregate?> DecideAsync<TAggregate>(
        IDocumentStore store,
        Guid streamId,
        Func<TAggregate?, IReadOnlyList<object>> decide,
        Func<TAggregate?, DomainException, IReadOnlyList<object>> keepOnRefusal,
        CancellationToken cancellationToken)
        where TAggregate : class =>
        DecideAsync(store, streamId, null, decide, keepOnRefusal, cancellationToken);

    /// <summary>
    /// Decides on the stream only as it was at <paramref name="expected"/>'s version, the one the caller saw: when it has
    /// moved (before or during this decision) the caller hears <paramref name="expected"/>'s conflict, made from the
    /// stream as it is now, and nothing is appended.
    /// </summary>
    public static Task<TAggregate?> DecideAsync<TAggregate>(
        IDocumentStore store,
        Guid streamId,
        ExpectedVersion<TAggregate> expected,
        Func<TAggregate?, IReadOnlyList<object>> decide,
        CancellationToken cancellationToken)
        where TAggregate : class =>
        DecideAsync(store, streamId, expected, decide, null, cancellationToken);

    private static async Task<TAggregate?> DecideAsync<TAggregate>(
        IDocumentStore store,
        Guid streamId,
        ExpectedVersion<TAggregate>? expected,
        Func<TAggregate?, IReadOnlyList<object>> decide,
        Func<TAggregate?, DomainException, IReadOnlyList<object>>? keepOnRefusal,
        CancellationToken cancellationToken)
        where TAggregate : class
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            try
            {
                var stream = expected is null
                    ? await session.Events.FetchForWriting<TAggregate>(streamId, cancellationToken)
                    : await session.Events.FetchForWriting<TAggregate>(streamId, expected.Version, cancellationToken);
                IReadOnlyList<object> events;
                try
                {
                    events = decide(stream.Aggregate);
                }
                catch (DomainException refusal) when (keepOnRefusal is not null && keepOnRefusal(stream.Aggregate, refusal) is { Count: > 0 } kept)
                {
                    await using var keeper = store.LightweightSession();
                    keeper.Events.Append(streamId, kept);
                    await keeper.SaveChangesAsync(cancellationToken);
                    throw;
                }
                if (events.Count == 0)
                {
                    return stream.Aggregate;
                }
                stream.AppendMany(events);
                await session.SaveChangesAsync(cancellationToken);
                return await session.LoadAsync<TAggregate>(streamId, cancellationToken);
            }
            // A stream that did not exist yet (expected version 0) started by someone else in between is a moved stream too.
            catch (Exception moved) when (expected is not null && moved is ConcurrencyException or ExistingStreamIdCollisionException)
            {
                await using var reader = store.LightweightSession();
                throw expected.Conflict(await reader.Events.FetchLatest<TAggregate>(streamId, cancellationToken));
            }
            catch (Exception moved) when (attempt < Attempts && moved is ConcurrencyException or ExistingStreamIdCollisionException)
            {
                // Someone else's event reached the stream first (or started it, where it did not exist yet); decide again on
                // the stream as it is now.
            }
        }
    }

    /// <summary>
    /// Fetches the stream for writing, reads <paramref name="read"/>'s facts, decides, appends to it and starts the streams
    /// the decision names, in one commit. When another writer appended to the stream in between, the stream version check
    /// refuses the commit (nothing of it is stored) and the facts are read and the decision taken again, so a decision
    /// that must happen once (one job per policy trigger) happens once however many replicas take it at the same moment.
    /// </summary>
    /// <returns>The events appended to the stream (none when the decision was to do nothing).</returns>
    public static Task<IReadOnlyList<object>> DecideAndStartAsync<TAggregate, TFacts>(
        IDocumentStore store,
        Guid streamId,
        Func<IQuerySession, CancellationToken, Task<TFacts>> read,
        Func<TAggregate?, TFacts, (IReadOnlyList<object> Appended, IReadOnlyList<StartedStream> Started)> decide,
        CancellationToken cancellationToken)
        where TAggregate : class =>
        DecideAndWriteAsync<TAggregate, TFacts>(store, streamId, read, (aggregate, facts) =>
        {
            var (appended, started) = decide(aggregate, facts);
            return (appended, started, []);
        }, cancellationToken);

    /// <summary>
    /// As <see cref="DecideAndStartAsync{TAggregate, TFacts}"/>, but the decision also appends to other, existing streams
    /// in the same commit (a scoring job's completion and each case's score). Only the decided stream's version is
    /// checked: the other streams take the events whatever was appended to them meanwhile.
    /// </summary>
    public static Task<IReadOnlyList<object>> DecideAndAppendAsync<TAggregate, TFacts>(
        IDocumentStore store,
        Guid streamId,
        Func<IQuerySession, CancellationToken, Task<TFacts>> read,
        Func<TAggregate?, TFacts, (IReadOnlyList<object> Appended, IReadOnlyList<(Guid StreamId, object Event)> Elsewhere)> decide,
        CancellationToken cancellationToken)
        where TAggregate : class =>
        DecideAndWriteAsync<TAggregate, TFacts>(store, streamId, read, (aggregate, facts) =>
        {
            var (appended, elsewhere) = decide(aggregate, facts);
            return (appended, [], elsewhere);
        }, cancellationToken);

    private static async Task<IReadOnlyList<object>> DecideAndWriteAsync<TAggregate, TFacts>(
        IDocumentStore store,
        Guid streamId,
        Func<IQuerySession, CancellationToken, Task<TFacts>> read,
        Func<TAggregate?, TFacts, (IReadOnlyList<object> Appended, IReadOnlyList<StartedStream> Started, IReadOnlyList<(Guid StreamId, object Event)> Elsewhere)> decide,
        CancellationToken cancellationToken)
        where TAggregate : class
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            try
            {
                // The stream first, then the facts: facts read before the fetch could predate another writer's commit that
                // the fetched version already includes, and the decision would pass the version check on stale facts.
                var stream = await session.Events.FetchForWriting<TAggregate>(streamId, cancellationToken);
                var facts = await read(session, cancellationToken);
                var (appended, started, elsewhere) = decide(stream.Aggregate, facts);
                if (appended.Count == 0 && started.Count == 0 && elsewhere.Count == 0)
                {
                    return [];
                }
                stream.AppendMany(appended);
                foreach (var start in started)
                {
                    session.Events.StartStream(start.AggregateType, start.StreamId, start.Event);
                }
                foreach (var (otherStreamId, @event) in elsewhere)
                {
                    session.Events.Append(otherStreamId, @event);
                }
                await session.SaveChangesAsync(cancellationToken);
                return appended;
            }
            catch (Exception moved) when (attempt < Attempts && (moved is ConcurrencyException || IsUniqueViolation(moved)))
            {
                // Someone else decided on this stream first, or stored what a started stream would (a case of the same
                // study, by a unique index); read what they did and decide again.
            }
        }
    }

    /// <summary>
    /// Takes the first of <paramref name="candidates"/> that nobody else takes at the same moment: each candidate is
    /// appended to with the version it was read at, so of many concurrent claimers of one stream exactly one commits;
    /// the others move on to the next candidate, and read fresh candidates when the list runs out.
    /// </summary>
    /// <param name="decide">The claim on a candidate as it is now, or no events when it is no longer free.</param>
    public static async Task<TAggregate?> ClaimFirstAsync<TAggregate>(
        IDocumentStore store,
        Func<IQuerySession, CancellationToken, Task<IReadOnlyList<TAggregate>>> candidates,
        Func<TAggregate, (Guid Id, long Version)> identify,
        Func<TAggregate, IReadOnlyList<object>> decide,
        CancellationToken cancellationToken)
        where TAggregate : class
    {
        while (true)
        {
            IReadOnlyList<TAggregate> free;
            await using (var query = store.QuerySession())
            {
                free = await candidates(query, cancellationToken);
            }
            if (free.Count == 0)
            {
                return null;
            }
            var contended = false;
            foreach (var candidate in free)
            {
                var (id, version) = identify(candidate);
                await using var session = store.LightweightSession();
                try
                {
                    var stream = await session.Events.FetchForWriting<TAggregate>(id, version, cancellationToken);
                    var events = stream.Aggregate is null ? [] : decide(stream.Aggregate);
                    if (events.Count == 0)
                    {
                        continue;
                    }
                    stream.AppendMany(events);
                    await session.SaveChangesAsync(cancellationToken);
                    return await session.LoadAsync<TAggregate>(id, cancellationToken);
                }
                catch (ConcurrencyException)
                {
                    // Another claimer took this one between our read and our commit: try the next.
                    contended = true;
                }
            }
            if (!contended)
            {
                // Every candidate refused by itself (none was free after all): nothing to claim now.
                return null;
            }
        }
    }

    private static bool IsUniqueViolation(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>A stream a decision starts, with its first event.</summary>
public sealed record StartedStream(Type AggregateType, Guid StreamId, object Event);

/// <summary>The stream version a caller decided on, and the error it hears when the stream has moved since.</summary>
/// <param name="Conflict">Made from the stream as it is now (null when there is no such stream).</param>
public sealed record ExpectedVersion<TAggregate>(long Version, Func<TAggregate?, Exception> Conflict);
