using Cl2.Labeling.GraphQL;
using GraphQL;
using JasperFx;
using Marten;

namespace Cl2.Labeling.Models;

/// <summary>
/// Changes of stage are decided against the model version the caller saw; the database's stream version check makes
/// the same promise when two decisions race past the first check.
/// </summary>
public static class ModelConcurrency
{
    public static void Require(Model model, int expectedVersion)
    {
        if (model.Version != expectedVersion)
        {
            throw Conflict(model.Id, expectedVersion, model.Version);
        }
    }

    public static async Task<Model?> AppendAsync<TEvent>(
        IResolveFieldContext context,
        Guid modelId,
        int expectedVersion,
        Func<Model?, TEvent> decide,
        Func<TEvent, Model, Model> apply)
        where TEvent : notnull
    {
        var cancellationToken = context.CancellationToken;
        await using var session = context.Store().LightweightSession();
        var stream = await session.Events.FetchForWriting<Model>(modelId, cancellationToken);
        var decided = decide(stream.Aggregate);
        stream.AppendOne(decided);
        try
        {
            await session.SaveChangesAsync(cancellationToken);
        }
        catch (ConcurrencyException)
        {
            var current = await session.Events.FetchLatest<Model>(modelId, cancellationToken);
            throw Conflict(modelId, expectedVersion, current?.Version ?? 0);
        }
        return apply(decided, stream.Aggregate!) with { Version = stream.Aggregate!.Version + 1 };
    }

    private static DomainException Conflict(Guid modelId, long expectedVersion, long currentVersion) =>
        new(ErrorCodes.ModelVersionConflict,
            $"Model {modelId} changed since version {expectedVersion} (it is at {currentVersion}): reload it and decide again.")
        {
            Details = new Dictionary<string, object?> { ["expectedVersion"] = expectedVersion, ["currentVersion"] = currentVersion },
        };
}
