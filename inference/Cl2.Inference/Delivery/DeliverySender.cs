using Cl2.Dicom.Network;
using Cl2.Dicom.Web;
using Cl2.Labeling.Client;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Delivery;

/// <summary>
/// Sends what the <see cref="DeliveryOutbox"/> holds and records each outcome in labeling (<c>recordDelivery</c>, with the
/// attempt's number). A failed attempt waits FirstRetryDelay, doubling up to MaxRetryDelay (less a random share); after
/// MaxAttempts failures in a row the delivery is dead-lettered, until an admin's <c>retryDelivery</c> (heard by polling
/// labeling) gives it its attempts back. A delivery is done locally only after labeling recorded its success: a crash in
/// between sends the same stored objects again, which a PACS keeps as the one instance it has. Destinations are served
/// side by side, so one that hangs delays only its own deliveries.
/// </summary>
public sealed class DeliverySender(DeliveryOutbox outbox, DeliveryTransport transport, IHttpClientFactory httpClients, DeliveryMetrics metrics,
    IOptions<DeliveryOptions> options, TimeProvider time, ILogger<DeliverySender> logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);
    private DateTimeOffset _nextRetryRequestPoll;
    private string? _labelingFailure;

    /// <summary>Labeling's GraphQL API through the client AddLabelingClient configures (Labeling:BaseAddress, Labeling:ServiceUser).</summary>
    private LabelingClient Labeling => new(httpClients.CreateClient(nameof(LabelingClient)));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        outbox.Queued += Wake;
        var waiting = outbox.Undelivered();
        if (waiting.Count > 0)
        {
            logger.LogInformation("{Deliveries} deliveries of results are in the outbox ({DeadLettered} dead-lettered), the oldest queued at {Since}",
                waiting.Count, waiting.Count(delivery => delivery.State == OutboxState.DeadLettered), waiting[0].QueuedAt);
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SendDueAsync(stoppingToken);
                await ReportAsync(stoppingToken);
                if (time.GetUtcNow() >= _nextRetryRequestPoll)
                {
                    await PollRetryRequestsAsync(stoppingToken);
                    _nextRetryRequestPoll = time.GetUtcNow() + settings.RetryRequestPollInterval;
                }
                await _wake.WaitAsync(settings.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
        outbox.Queued -= Wake;
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    private async Task SendDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var due = outbox.Undelivered().Where(delivery => delivery.State == OutboxState.Pending && delivery.NextAttemptAt <= now);
        await Task.WhenAll(due.GroupBy(delivery => delivery.Destination).Select(async deliveries =>
        {
            foreach (var delivery in deliveries)
            {
                await SendAsync(delivery, cancellationToken);
            }
        }));
    }

    private async Task SendAsync(OutboxDelivery delivery, CancellationToken cancellationToken)
    {
        var destination = options.Value.Destinations.FirstOrDefault(configured => configured.Name == delivery.Destination);
        try
        {
            if (destination is null)
            {
                throw new DeliveryRefusedException($"no destination named {delivery.Destination} is configured (Inference:Delivery:Destinations) any more; " +
                    "configure it again, then retryDelivery");
            }
            if (destination.Kind == DeliveryKind.Xnat && delivery.CalledAeTitle is null
                && await outbox.RouteAgainAsync(delivery, destination, cancellationToken) is { } routingError)
            {
                throw new DeliveryRefusedException(routingError);
            }
            delivery = outbox.Find(delivery.Id)!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.SendTimeout);
            try
            {
                await transport.SendAsync(delivery, destination, delivery.Objects.Select(outbox.ObjectPath).ToList(), timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DeliveryRefusedException($"the send took longer than Inference:Delivery:SendTimeout ({options.Value.SendTimeout})");
            }
            outbox.MarkSent(delivery.Id, time.GetUtcNow());
            metrics.RecordSent(delivery.Destination);
            logger.LogInformation("Delivered result {ResultId} of study {StudyInstanceUid} to {Destination}: {Objects} objects (attempt {Attempt})",
                delivery.ResultId, delivery.StudyInstanceUid, delivery.Destination, delivery.Objects.Count, delivery.Attempts + 1);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsFailedAttempt(e))
        {
            var failed = outbox.MarkFailed(delivery.Id, e.Message, time.GetUtcNow());
            metrics.RecordFailed(delivery.Destination);
            if (failed.State == OutboxState.DeadLettered)
            {
                metrics.RecordDeadLettered(delivery.Destination);
                logger.LogError("Delivery of result {ResultId} of study {StudyInstanceUid} to {Destination} is dead-lettered after {Failures} failed attempts " +
                    "(Inference:Delivery:MaxAttempts), the last: {Error}. Fix the cause, then an admin's retryDelivery tries it again",
                    delivery.ResultId, delivery.StudyInstanceUid, delivery.Destination, failed.FailuresInRow, e.Message);
            }
            else
            {
                logger.LogWarning("Delivery of result {ResultId} to {Destination} failed (attempt {Attempt}): {Error}. Next attempt at {RetryAt}",
                    delivery.ResultId, delivery.Destination, failed.Attempts, e.Message, failed.NextAttemptAt);
            }
        }
    }

    /// <summary>A destination that is down, refuses, or speaks wrongly: an attempt that failed. Anything else is a bug to surface.</summary>
    private static bool IsFailedAttempt(Exception e) => e is DeliveryRefusedException or DicomNetworkException or IOException or HttpRequestException
        or DicomWebException or InvalidDataException or System.Net.Sockets.SocketException;

    /// <summary>Tells labeling what it has not heard yet; while it is unreachable, the rest waits for the next round.</summary>
    private async Task ReportAsync(CancellationToken cancellationToken)
    {
        foreach (var delivery in outbox.Undelivered().Where(delivery => delivery.NeedsReport))
        {
            var (outcome, error) = delivery.State switch
            {
                OutboxState.Sent => (DeliveryOutcome.Succeeded, null),
                OutboxState.DeadLettered => (DeliveryOutcome.DeadLettered, delivery.LastError),
                _ => (DeliveryOutcome.Failed, delivery.LastError),
            };
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(options.Value.SendTimeout);
                // Delivered: from the hand-over to the outbox to the send that went through (the result's DELIVER stage).
                var duration = outcome == DeliveryOutcome.Succeeded && delivery.LastAttemptAt is { } sentAt ? (sentAt - delivery.QueuedAt).TotalMilliseconds : (double?)null;
                await Labeling.RecordDeliveryAsync(new RecordDeliveryInput(delivery.ResultId, delivery.Destination, outcome, error, delivery.Attempts, duration), timeout.Token);
            }
            catch (LabelingApiException e) when (e.Errors.Any(error => error.Code == "INFERENCE_RESULT_NOT_FOUND"))
            {
                logger.LogDebug("Labeling does not know result {ResultId} yet; its delivery to {Destination} is recorded later", delivery.ResultId, delivery.Destination);
                continue;
            }
            catch (LabelingApiException e)
            {
                // Labeling answered and will not take this record; asking again would get the same answer.
                logger.LogError("Labeling refused the record of delivery {Delivery} ({Outcome}, attempt {Attempt}): {Error}",
                    delivery.Id, outcome, delivery.Attempts, e.Message);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                if (_labelingFailure != e.Message)
                {
                    logger.LogWarning("Delivery outcomes cannot be recorded in labeling ({Error}); they are recorded once it answers", e.Message);
                }
                _labelingFailure = e.Message;
                return;
            }
            _labelingFailure = null;
            if (outcome == DeliveryOutcome.Succeeded)
            {
                outbox.MarkDelivered(delivery.Id, time.GetUtcNow());
            }
            else
            {
                outbox.MarkReported(delivery.Id, delivery.Attempts, time.GetUtcNow());
            }
        }
    }

    /// <summary>An admin's retryDelivery turns a dead-lettered delivery back to Retrying in labeling; that is the outbox's cue.</summary>
    private async Task PollRetryRequestsAsync(CancellationToken cancellationToken)
    {
        var dead = outbox.Undelivered().Where(delivery => delivery is { State: OutboxState.DeadLettered, NeedsReport: false }).ToList();
        foreach (var result in dead.GroupBy(delivery => delivery.ResultId))
        {
            InferenceResultInfo? recorded;
            try
            {
                recorded = await Labeling.InferenceResultAsync(result.Key, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or TaskCanceledException or LabelingApiException
                or System.Text.Json.JsonException)
            {
                return;
            }
            foreach (var delivery in result)
            {
                if (recorded?.Deliveries.FirstOrDefault(known => known.Destination == delivery.Destination) is { Status: DeliveryStatus.Retrying })
                {
                    outbox.Requeue(delivery.Id, time.GetUtcNow());
                    logger.LogInformation("Delivery of result {ResultId} to {Destination} is queued again on an admin's request", delivery.ResultId, delivery.Destination);
                }
            }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
