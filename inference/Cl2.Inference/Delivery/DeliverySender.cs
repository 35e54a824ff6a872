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
/// side by side, so one that hangs delays only its own deliveries. Where inference runs as replicas, each send happens under
/// the delivery's lease in labeling (<see cref="DeliveryLeases"/>), renewed while the send is under way, and deliveries
/// whose holder let the lease run out are taken over from labeling.
/// </summary>
public sealed class DeliverySender(DeliveryOutbox outbox, DeliveryTransport transport, DeliveryLeases leases, IHttpClientFactory httpClients, DeliveryMetrics metrics,
    IOptions<DeliveryOptions> options, IOptions<Processing.ReplicaOptions> replicas, TimeProvider time, ILogger<DeliverySender> logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);
    private DateTimeOffset _nextRetryRequestPoll;
    private DateTimeOffset _nextRescue;
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
                if (leases.IsOn && time.GetUtcNow() >= _nextRescue)
                {
                    await RescueAsync(stoppingToken);
                    _nextRescue = time.GetUtcNow() + replicas.Value.DeliveryRescueInterval;
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
            if (leases.IsOn && !await HoldAsync(delivery, cancellationToken))
            {
                return;
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.SendTimeout);
            using var sent = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var renewing = leases.IsOn ? RenewWhileSendingAsync(delivery, timeout, sent.Token) : Task.FromResult<string?>(null);
            try
            {
                await transport.SendAsync(delivery, destination, delivery.Objects.Select(outbox.ObjectPath).ToList(), timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await sent.CancelAsync();
                if (await renewing is { } holder)
                {
                    // Not a failure of the destination: the delivery is another replica's now; this one waits for how it ends.
                    outbox.Postpone(delivery.Id, time.GetUtcNow() + leases.Lease);
                    logger.LogWarning("Stopped sending result {ResultId} to {Destination}: its lease ran out and replica {Replica} holds it now",
                        delivery.ResultId, delivery.Destination, holder);
                    return;
                }
                throw new DeliveryRefusedException($"the send took longer than Inference:Delivery:SendTimeout ({options.Value.SendTimeout})");
            }
            finally
            {
                await sent.CancelAsync();
                await renewing;
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

    /// <summary>Claims the delivery (or renews this replica's lease) before a send. False when it is not this replica's to
    /// send now: another holds it (the delivery waits for that lease), or it ended (recorded delivered or dead-lettered
    /// by another replica: done here), or labeling cannot say (asked again shortly).</summary>
    private async Task<bool> HoldAsync(OutboxDelivery delivery, CancellationToken cancellationToken)
    {
        DeliveryClaimInfo claim;
        try
        {
            claim = await leases.ClaimAsync(delivery, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsLabelingUnanswered(e))
        {
            // Also while labeling does not know the result yet (it is recorded after the hand-over to the outbox).
            outbox.Postpone(delivery.Id, time.GetUtcNow() + TimeSpan.FromSeconds(1));
            var notRecordedYet = e is LabelingApiException refused && refused.Errors.Any(error => error.Code == "INFERENCE_RESULT_NOT_FOUND");
            logger.Log(notRecordedYet ? LogLevel.Debug : LogLevel.Warning, "Delivery {Delivery} is not claimed yet: {Error}", delivery.Id, e.Message);
            return false;
        }
        switch (claim.State)
        {
            case DeliveryClaimState.Granted:
                return true;
            case DeliveryClaimState.Delivered or DeliveryClaimState.DeadLettered:
                outbox.MarkDelivered(delivery.Id, time.GetUtcNow());
                logger.LogInformation("Delivery of result {ResultId} to {Destination} was finished by replica {Replica} ({State}); dropped here",
                    delivery.ResultId, delivery.Destination, claim.Replica, claim.State);
                return false;
            default:
                outbox.Postpone(delivery.Id, claim.LeaseExpiresAt ?? time.GetUtcNow() + leases.Lease);
                return false;
        }
    }

    /// <summary>Renews the lease every third of it until <paramref name="stop"/>; when another replica holds it, cancels the
    /// send and returns that replica's name (null otherwise). Labeling not answering does not stop the send.</summary>
    private async Task<string?> RenewWhileSendingAsync(OutboxDelivery delivery, CancellationTokenSource send, CancellationToken stop)
    {
        while (true)
        {
            try
            {
                await Task.Delay(leases.Lease / 3, time, stop);
                var claim = await leases.ClaimAsync(delivery, stop);
                if (!claim.Granted)
                {
                    await send.CancelAsync();
                    return claim.Replica ?? claim.State.ToString();
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception e) when (IsLabelingUnanswered(e))
            {
                logger.LogWarning("Could not renew the lease of delivery {Delivery} ({Error}); sending on", delivery.Id, e.Message);
            }
        }
    }

    private async Task RescueAsync(CancellationToken cancellationToken)
    {
        try
        {
            await leases.RescueAsync(cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && (IsLabelingUnanswered(e) || e is IOException or InvalidDataException))
        {
            logger.LogWarning("Could not take over deliveries whose lease ran out: {Error}; trying again in {Interval}", e.Message,
                replicas.Value.DeliveryRescueInterval);
        }
    }

    private static bool IsLabelingUnanswered(Exception e) => e is HttpRequestException or TaskCanceledException or LabelingApiException
        or System.Text.Json.JsonException;

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
