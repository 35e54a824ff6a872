using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Inference;

/// <summary>An admin asked for a dead-lettered delivery to be tried again; inference hears it and queues it again.</summary>
public sealed record DeliveryRetryRequested(Guid ResultId, string Destination, string RequestedBy, DateTimeOffset RequestedAt);

/// <summary>Gives a dead-lettered delivery its attempts back (after its cause was fixed): its status is Retrying again,
/// which inference's outbox polls for, and it goes on counting attempts from where it stopped.</summary>
public sealed record RetryDelivery(Guid InferenceResultId, string Destination)
{
    public static DeliveryRetryRequested Decide(InferenceResult? result, RetryDelivery command, string by, DateTimeOffset now)
    {
        if (result is null)
        {
            throw DomainException.NotFound(ErrorCodes.InferenceResultNotFound, "Inference result", command.InferenceResultId);
        }
        var destination = command.Destination.Trim();
        var delivery = result.FindDelivery(destination) ?? throw new DomainException(ErrorCodes.DeliveryNotFound,
            $"Result {result.Id} has no delivery to '{destination}'; its deliveries go to {(result.Deliveries.Count == 0 ? "no destination yet" : string.Join(", ", result.Deliveries.Select(known => known.Destination)))}.");
        return delivery.Status == DeliveryStatus.DeadLettered
            ? new DeliveryRetryRequested(result.Id, destination, by, now)
            : throw new DomainException(ErrorCodes.DeliveryNotDeadLettered,
                $"Delivery of result {result.Id} to {destination} is {delivery.Status}; only a dead-lettered delivery is retried on request (inference retries the others itself).");
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<DeliveryRecordGraphType>, DeliveryRecord>("retryDelivery")
        .Description("Tries a dead-lettered delivery again (inference queues it within Inference:Delivery:RetryRequestPollInterval).")
        .AuthorizeWithRoles(Roles.Admin)
        .Argument<NonNullGraphType<RetryDeliveryInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<RetryDelivery>("input");
            var result = await StreamDecision.DecideAsync<InferenceResult>(context.Store(), command.InferenceResultId,
                result => [Decide(result, command, context.Actor(), context.Now())], context.CancellationToken);
            return DeliveryRecord.Of(result!, result!.FindDelivery(command.Destination.Trim())!);
        });
}

public sealed class RetryDeliveryInputType : AutoRegisteringInputObjectGraphType<RetryDelivery>
{
    public RetryDeliveryInputType() => Name = "RetryDeliveryInput";
}
