using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Inference;

public enum DeliveryOutcome
{
    /// <summary>The attempt failed and will be retried.</summary>
    Failed,
    Succeeded,
    /// <summary>Given up: no more retries.</summary>
    DeadLettered,
}

/// <summary>
/// Inference reports what happened when it sent a result to a destination (a PACS AE, XNAT, labeling's archive).
/// <see cref="Attempt"/> is the attempt's number as the sender counts them: its outbox reports at least once (again after a
/// crash), so a report of an attempt already recorded, or of a success already recorded, changes nothing. Without it the
/// report is the next attempt. <see cref="DurationMs"/>, with a success, is how long the delivery took from the result's
/// hand-over to the sender until the destination had it (waits between attempts included): the result's DELIVER stage.
/// </summary>
public sealed record RecordDelivery(Guid InferenceResultId, string Destination, DeliveryOutcome Outcome, string? Error, int? Attempt = null,
    double? DurationMs = null)
{
    public static IReadOnlyList<object> Decide(InferenceResult? result, RecordDelivery command, string by, DateTimeOffset now)
    {
        if (result is null)
        {
            throw DomainException.NotFound(ErrorCodes.InferenceResultNotFound, "Inference result", command.InferenceResultId);
        }
        var destination = command.Destination.Trim();
        if (destination.Length == 0)
        {
            throw DomainException.Invalid("destination names where the result was sent (e.g. \"PACS1\" or a DICOMweb URL).");
        }
        if (command.Attempt is < 1)
        {
            throw DomainException.Invalid($"attempt numbers the attempt from 1; {command.Attempt} is none.");
        }
        if (command.DurationMs is { } duration && (duration < 0 || !double.IsFinite(duration)))
        {
            throw DomainException.Invalid($"durationMs is how long the delivery took, 0 or more milliseconds; {duration} is not.");
        }
        var delivery = result.FindDelivery(destination);
        var attempts = delivery?.Attempts ?? 0;
        if (command.Attempt is { } reported && IsRecorded(delivery, command.Outcome, reported))
        {
            return [];
        }
        if (delivery is { Status: not DeliveryStatus.Retrying })
        {
            throw new DomainException(ErrorCodes.DeliveryFinished,
                $"Delivery of result {result.Id} to {destination} is {delivery.Status} already; it takes no more attempts (retryDelivery gives a dead-lettered one more).");
        }
        var attempt = command.Attempt ?? attempts + 1;
        var error = command.Error?.Trim();
        return command.Outcome switch
        {
            DeliveryOutcome.Succeeded => [new DeliverySucceeded(result.Id, destination, attempt, by, now, command.DurationMs)],
            _ when string.IsNullOrEmpty(error) => throw DomainException.Invalid("A failed or dead-lettered delivery says why in error."),
            DeliveryOutcome.Failed => [new DeliveryAttempted(result.Id, destination, attempt, error, by, now)],
            _ => [new DeliveryDeadLettered(result.Id, destination, command.Attempt ?? attempts, error, by, now)],
        };
    }

    /// <summary>A numbered report labeling holds already: the same success, the same dead letter, or a failure no later than the last attempt.</summary>
    private static bool IsRecorded(Delivery? delivery, DeliveryOutcome outcome, int attempt) => (delivery, outcome) switch
    {
        (null, _) => false,
        ({ Status: DeliveryStatus.Delivered }, DeliveryOutcome.Succeeded) => true,
        ({ Status: DeliveryStatus.DeadLettered }, DeliveryOutcome.DeadLettered) => attempt <= delivery.Attempts,
        (_, DeliveryOutcome.Failed) => attempt <= delivery.Attempts,
        _ => false,
    };

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<InferenceResultGraphType>, InferenceResult>("recordDelivery")
        .AuthorizeWithRoles(Roles.Service)
        .Argument<NonNullGraphType<RecordDeliveryInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<RecordDelivery>("input");
            return (await StreamDecision.DecideAsync<InferenceResult>(context.Store(), command.InferenceResultId,
                result => Decide(result, command, context.Actor(), context.Now()), context.CancellationToken))!;
        });
}

public sealed class DeliveryOutcomeGraphType : EnumerationGraphType<DeliveryOutcome>
{
    public DeliveryOutcomeGraphType() => Name = "DeliveryOutcome";
}

public sealed class RecordDeliveryInputType : AutoRegisteringInputObjectGraphType<RecordDelivery>
{
    public RecordDeliveryInputType() => Name = "RecordDeliveryInput";
}
