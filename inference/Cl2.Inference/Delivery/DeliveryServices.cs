using Cl2.Inference.Api;
using Cl2.Labeling.Client;
using Cl2.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Delivery;

public static class DeliveryServices
{
    /// <summary>The outbox, its sender, the counters and the archive's HTTP client (labeling's DICOMweb root, as inference).</summary>
    public static IServiceCollection AddResultDelivery(this IServiceCollection services)
    {
        services.AddValidatedOptions<DeliveryOptions>(DeliveryOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<DeliveryOutbox>();
        services.AddSingleton<DeliveryTransport>();
        services.AddSingleton<DeliveryMetrics>();
        services.AddSingleton<DeliveryLeases>();
        services.AddHostedService<DeliverySender>();
        services.AddHttpClient(DeliveryTransport.ArchiveClient, (provider, http) =>
        {
            var labeling = provider.GetRequiredService<IOptions<LabelingClientOptions>>().Value;
            var root = labeling.BaseAddress.ToString();
            http.BaseAddress = new Uri(new Uri(root.EndsWith('/') ? root : root + "/"), "dicomweb/");
            http.Timeout = Timeout.InfiniteTimeSpan; // each send has its own (Inference:Delivery:SendTimeout)
            labeling.Identify(http);
        });
        return services;
    }

    /// <summary><c>/api/inference/delivery</c>: the deliveries not yet done (queued, waiting to retry, sent but not yet
    /// recorded, dead-lettered), oldest first, paged.</summary>
    public static RouteGroupBuilder MapDeliveryStatus(this RouteGroupBuilder api)
    {
        const string Path = "/api/inference/delivery";
        api.MapGet("/delivery", (DeliveryOutbox outbox, IOptions<DeliveryOptions> options, IOptions<InferenceApiOptions> api, int? offset, int? limit) =>
        {
            var (page, problem) = Page.From(offset, limit, api.Value.MaxPageSize);
            if (page is null)
            {
                return Page.Refused(Path, problem!);
            }
            var undelivered = outbox.Undelivered();
            return Results.Json(new
            {
                destinations = options.Value.Destinations.Select(destination => new { destination.Name, Kind = destination.Kind.ToString() }),
                pending = undelivered.Count(delivery => delivery.State != OutboxState.DeadLettered),
                deadLettered = undelivered.Count(delivery => delivery.State == OutboxState.DeadLettered),
                deliveries = page.Answer(page.Slice(undelivered).Select(delivery => new
                {
                    delivery.Id,
                    delivery.ResultId,
                    delivery.Destination,
                    delivery.StudyInstanceUid,
                    State = delivery.State switch
                    {
                        OutboxState.Sent => "sent-not-recorded",
                        OutboxState.DeadLettered => "dead-lettered",
                        _ when delivery.Attempts == 0 => "queued",
                        _ => "retrying",
                    },
                    delivery.Attempts,
                    delivery.LastError,
                    delivery.LastAttemptAt,
                    NextAttemptAt = delivery.State == OutboxState.Pending ? delivery.NextAttemptAt : (DateTimeOffset?)null,
                    Objects = delivery.Objects.Select(stored => stored.SopInstanceUid),
                }), undelivered.Count, Path),
            });
        });
        return api;
    }
}
