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

/// <summary>Inference reports what happened when it sent a result to a destination (a PACS AE, XNAT, a DICOMweb URL).</summary>
public sealed record RecordDelivery(Guid InferenceResultId, string Destination, DeliveryOutcome Outcome, string? Error)
{
    public static object Decide(InferenceResult? result, RecordDelivery command, string by, DateTimeOffset now)
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
        var delivery = result.FindDelivery(destination);
        if (delivery is { Status: not DeliveryStatus.Retrying })
        {
            throw new DomainException(ErrorCodes.DeliveryFinished,
                $"Delivery of result {result.Id} to {destination} is {delivery.Status} already; it takes no more attempts.");
        }
        var attempts = delivery?.Attempts ?? 0;
        var error = command.Error?.Trim();
        return command.Outcome switch
        {
            DeliveryOutcome.Succeeded => new DeliverySucceeded(result.Id, destination, attempts + 1, by, now),
            _ when string.IsNullOrEmpty(error) => throw DomainException.Invalid("A failed or dead-lettered delivery says why in error."),
            DeliveryOutcome.Failed => new DeliveryAttempted(result.Id, destination, attempts + 1, error, by, now),
            _ => new DeliveryDeadLettered(result.Id, destination, attempts, error, by, now),
        };
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<InferenceResultGraphType>, InferenceResult>("recordDelivery")
        .AuthorizeWithRoles(Roles.Service)
        .Argument<NonNullGraphType<RecordDeliveryInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<RecordDelivery>("input");
            return (await StreamDecision.DecideAsync<InferenceResult>(context.Store(), command.InferenceResultId,
                result => [Decide(result, command, context.Actor(), context.Now())], context.CancellationToken))!;
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
