using Cl2.Labeling.Client;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Serving;

/// <summary>The model a rule names, and its version in production when it was read (null: none is), with the candidate
/// running in shadow beside it then (null: none is).</summary>
public sealed record ProductionModel(Guid ModelId, string Name, ModelVersionInfo? Version, ModelVersionInfo? Shadow = null);

/// <summary>
/// Which version of each model is in production, for the next study (hot swap without a restart). A model's production
/// version is read from labeling when a study first needs it and kept; the <c>modelPromoted</c> subscription drops the
/// kept version of a model the moment a promotion or rollback of it is committed, so the next study reads the new one;
/// while the subscription is down, a kept version is read again after <see cref="ServingOptions.PollInterval"/>. Each
/// study asks once, so its outcome names exactly one version. While labeling is unreachable the kept version serves.
/// </summary>
public sealed class ProductionVersions(IServiceProvider services, IOptions<ServingOptions> options, TimeProvider time, ILogger<ProductionVersions> logger)
    : BackgroundService
{
    private sealed record Kept(ProductionModel? Model, DateTimeOffset ReadAt);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Kept> _byName = new(StringComparer.Ordinal);

    /// <summary>The model named <paramref name="modelName"/> with its production version and its shadow; null when labeling has no such model.</summary>
    public async Task<ProductionModel?> ResolveAsync(string modelName, CancellationToken cancellationToken)
    {
        Kept? kept;
        lock (_gate)
        {
            kept = _byName.GetValueOrDefault(modelName);
        }
        if (kept is not null && time.GetUtcNow() - kept.ReadAt < options.Value.PollInterval)
        {
            return kept.Model;
        }
        try
        {
            var labeling = services.GetRequiredService<LabelingClient>();
            var model = await labeling.ModelIdAsync(modelName, cancellationToken) is { } modelId
                ? new ProductionModel(modelId, modelName, await labeling.ProductionVersionAsync(modelId, cancellationToken),
                    await ShadowOfAsync(labeling, modelId, kept?.Model?.Shadow, cancellationToken))
                : null;
            lock (_gate)
            {
                _byName[modelName] = new Kept(model, time.GetUtcNow());
            }
            return model;
        }
        catch (Exception e) when (kept is not null && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Reading the production version of model {Model} from labeling failed ({Error}); version {Version} read at {ReadAt} serves",
                modelName, e.Message, kept.Model?.Version?.Number, kept.ReadAt);
            return kept.Model;
        }
    }

    /// <summary>The model's shadow version; when it cannot be read, the one kept before (a shadow never holds production up).</summary>
    private async Task<ModelVersionInfo?> ShadowOfAsync(LabelingClient labeling, Guid modelId, ModelVersionInfo? kept, CancellationToken cancellationToken)
    {
        try
        {
            return await labeling.ShadowVersionAsync(modelId, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Reading the shadow version of model {ModelId} from labeling failed ({Error}); the shadow read before ({Version}) runs",
                modelId, e.Message, kept?.Number);
            return kept;
        }
    }

    /// <summary>Listens to <c>modelPromoted</c> and forgets the kept version of each model promoted or rolled back; reconnects after a failure.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var retry = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var promotions = await services.GetRequiredService<LabelingClient>().SubscribeModelPromotedAsync(null, stoppingToken);
                retry = TimeSpan.FromSeconds(1);
                // Anything promoted before the subscription started may have been missed: read every model again.
                Forget(_ => true);
                await foreach (var promotion in promotions.ReadAllAsync(stoppingToken))
                {
                    Forget(kept => kept.Model?.ModelId == promotion.ModelId);
                    logger.LogInformation("Version {VersionId} of model {ModelId} is in production ({Change}); the next study uses it",
                        promotion.VersionId, promotion.ModelId, promotion.Change);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("The modelPromoted subscription failed ({Error}); production versions are read again every {PollInterval}, and it reconnects in {Retry}",
                    e.Message, options.Value.PollInterval, retry);
            }
            await Task.Delay(retry, time, stoppingToken);
            retry = TimeSpan.FromSeconds(Math.Min(retry.TotalSeconds * 2, options.Value.PollInterval.TotalSeconds));
        }
    }

    private void Forget(Func<Kept, bool> which)
    {
        lock (_gate)
        {
            foreach (var name in _byName.Where(entry => which(entry.Value)).Select(entry => entry.Key).ToList())
            {
                _byName.Remove(name);
            }
        }
    }
}
