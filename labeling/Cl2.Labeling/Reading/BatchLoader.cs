using System.Collections.Concurrent;
using System.Reflection;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.DataLoader;

namespace Cl2.Labeling.Reading;

/// <summary>
/// Collects the keys that sibling fields ask for and loads them with one query when GraphQL.NET first asks for a
/// result (after it has resolved the whole level), so a list of N parents costs one round trip, not N.
/// </summary>
public sealed class BatchLoader<TKey, TValue>(Func<IReadOnlyList<TKey>, CancellationToken, Task<IReadOnlyDictionary<TKey, TValue>>> fetch)
    where TKey : notnull
{
    private readonly Lock _gate = new();
    private Batch _current = new();

    public IDataLoaderResult<TValue?> Load(TKey key)
    {
        lock (_gate)
        {
            _current.Keys.Add(key);
            return new Result(this, _current, key);
        }
    }

    private Task<IReadOnlyDictionary<TKey, TValue>> Dispatch(Batch batch, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (batch.Loading is null)
            {
                if (ReferenceEquals(batch, _current))
                {
                    _current = new Batch();
                }
                batch.Loading = fetch([.. batch.Keys], cancellationToken);
            }
            return batch.Loading;
        }
    }

    private sealed class Batch
    {
        public HashSet<TKey> Keys { get; } = [];
        public Task<IReadOnlyDictionary<TKey, TValue>>? Loading { get; set; }
    }

    private sealed class Result(BatchLoader<TKey, TValue> owner, Batch batch, TKey key) : IDataLoaderResult<TValue?>
    {
        public async Task<TValue?> GetResultAsync(CancellationToken cancellationToken = default)
        {
            var values = await owner.Dispatch(batch, cancellationToken);
            return values.TryGetValue(key, out var value) ? value : default;
        }

        async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken cancellationToken) => await GetResultAsync(cancellationToken);
    }
}

/// <summary>The batch loaders of one request (scoped), by name, so each name batches across the whole response.</summary>
public sealed class BatchLoaders
{
    private readonly ConcurrentDictionary<string, object> _loaders = new(StringComparer.Ordinal);

    public BatchLoader<TKey, TValue> For<TKey, TValue>(
        string name,
        Func<IReadOnlyList<TKey>, CancellationToken, Task<IReadOnlyDictionary<TKey, TValue>>> fetch)
        where TKey : notnull =>
        (BatchLoader<TKey, TValue>)_loaders.GetOrAdd(name, _ => new BatchLoader<TKey, TValue>(fetch));
}

public static class BatchLoading
{
    /// <summary>The request's batch loaders (one set per request, so each name batches across the whole response).</summary>
    public static BatchLoaders Loaders(this IResolveFieldContext context) =>
        (context.RequestServices ?? throw new InvalidOperationException("GraphQL ran without request services.")).GetRequiredService<BatchLoaders>();

    /// <summary>
    /// One document (an aggregate snapshot or a read model) by its id, loaded with every other document of its type that
    /// the same response asks for by id: one query for a whole level, whichever fields ask.
    /// </summary>
    public static IDataLoaderResult<TDocument?> LoadById<TDocument>(this IResolveFieldContext context, Guid id)
        where TDocument : class
    {
        var store = context.Store();
        return context.Loaders().For<Guid, TDocument>("byId:" + typeof(TDocument).FullName, async (ids, cancellationToken) =>
        {
            await using var session = store.QuerySession();
            var found = await session.LoadManyAsync<TDocument>(cancellationToken, ids);
            return found.ToDictionary(DocumentId<TDocument>.Of);
        }).Load(id);
    }

    /// <summary>A document's id: its <c>Id</c> property, the member Marten itself takes as the id of every labeling document.</summary>
    private static class DocumentId<TDocument>
    {
        public static readonly Func<TDocument, Guid> Of = typeof(TDocument).GetProperty("Id", BindingFlags.Public | BindingFlags.Instance) is { PropertyType: var type } id
            && type == typeof(Guid)
                ? id.GetMethod!.CreateDelegate<Func<TDocument, Guid>>()
                : throw new InvalidOperationException($"{typeof(TDocument).Name} has no Guid Id property to load it by.");
    }
}

public static class DataLoaderResultExtensions
{
    /// <summary>Shapes a batched value once it has loaded, without loading anything more.</summary>
    public static IDataLoaderResult<TResult> Then<T, TResult>(this IDataLoaderResult<T> result, Func<T, TResult> map) =>
        new MappedResult<T, TResult>(result, map);

    private sealed class MappedResult<T, TResult>(IDataLoaderResult<T> inner, Func<T, TResult> map) : IDataLoaderResult<TResult>
    {
        public async Task<TResult> GetResultAsync(CancellationToken cancellationToken = default) =>
            map(await inner.GetResultAsync(cancellationToken));

        async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken cancellationToken) => await GetResultAsync(cancellationToken);
    }
}

/// <summary>Several batched values as one list, in the order asked for; values that no longer exist are left out.</summary>
public sealed class AllResults<T>(IReadOnlyList<IDataLoaderResult<T?>> results) : IDataLoaderResult<IEnumerable<T>>
{
    public async Task<IEnumerable<T>> GetResultAsync(CancellationToken cancellationToken = default)
    {
        var values = new List<T>(results.Count);
        foreach (var result in results)
        {
            if (await result.GetResultAsync(cancellationToken) is { } value)
            {
                values.Add(value);
            }
        }
        return values;
    }

    async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken cancellationToken) => await GetResultAsync(cancellationToken);
}
