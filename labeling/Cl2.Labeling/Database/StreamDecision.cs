using JasperFx;
using Marten;

namespace Cl2.Labeling.Database;

/// <summary>
/// The write path of a mutation on one stream: fetch for writing, decide, append, commit once. When another writer
/// appends between the read and the commit, Marten's stream version check refuses the commit and the decision is
/// taken again on what they wrote (which may now refuse with a typed error).
/// </summary>
public static class StreamDecision
{
    private const int Attempts = 5;

    public static async Task<TAggregate?> DecideAsync<TAggregate>(
        IDocumentStore store,
        Guid streamId,
        Func<TAggregate?, IReadOnlyList<object>> decide,
        CancellationToken cancellationToken)
        where TAggregate : class
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            var stream = await session.Events.FetchForWriting<TAggregate>(streamId, cancellationToken);
            var events = decide(stream.Aggregate);
            if (events.Count == 0)
            {
                return stream.Aggregate;
            }
            stream.AppendMany(events);
            try
            {
                await session.SaveChangesAsync(cancellationToken);
                return await session.LoadAsync<TAggregate>(streamId, cancellationToken);
            }
            catch (ConcurrencyException) when (attempt < Attempts)
            {
                // Someone else's event reached the stream first; decide again on the stream as it is now.
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
}
