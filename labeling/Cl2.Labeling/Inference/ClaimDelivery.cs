using Cl2.Labeling.Blobs;
using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Inference;

/// <summary>
/// An inference replica asks to send a result to one destination. Where inference runs as replicas, every send happens
/// under such a claim: exactly one replica holds a delivery at a time, for <see cref="LeaseSeconds"/>; asking again while
/// holding it renews the lease (the sender does so while a send is under way). A replica whose lease ran out loses the
/// delivery to the next that asks: another replica finds it (<c>expiredDeliveryLeases</c>) and sends
/// <see cref="Objects"/>, which the claimer stored as blobs first. A delivery recorded delivered or dead-lettered is
/// claimed by nobody. The claim is a decision on the result's stream, so it and the record of the delivery's success
/// never cross.
/// </summary>
/// <param name="CallingAeTitle">The AE that sent the study (a SendingPacs destination sends the result back to it).</param>
/// <param name="CalledAeTitle">The AE title the objects go to when the sender chose it (an XNAT project's); null: the destination's own.</param>
public sealed record ClaimDelivery(Guid InferenceResultId, string Destination, string Replica, int LeaseSeconds, IReadOnlyList<DeliveryObject> Objects,
    string CallingAeTitle, string? CalledAeTitle = null)
{
    public static IReadOnlyList<object> Decide(InferenceResult? result, ClaimDelivery command, Func<string, bool> stored, string by, DateTimeOffset now)
    {
        if (result is null)
        {
            throw DomainException.NotFound(ErrorCodes.InferenceResultNotFound, "Inference result", command.InferenceResultId);
        }
        var (destination, replica) = Validate(command);
        if (command.Objects.FirstOrDefault(sent => !stored(sent.Digest)) is { } missing)
        {
            throw new DomainException(ErrorCodes.BlobNotFound,
                $"No blob {missing.Digest} (SOP Instance {missing.SopInstanceUid}) is stored: upload the result's objects first (PUT /blobs/<digest>), then claim.");
        }
        if (result.FindDelivery(destination) is { Status: not DeliveryStatus.Retrying }
            || (result.FindHolder(destination) is { } holder && holder.Replica != replica && holder.LeaseExpiresAt > now))
        {
            return [];
        }
        return [new DeliveryClaimed(result.Id, destination, result.StudyInstanceUid, replica, now + TimeSpan.FromSeconds(command.LeaseSeconds),
            [.. command.Objects.Select(sent => sent with { Digest = BlobReference.Require(sent.Digest, "objects.digest").ToString() })],
            command.CallingAeTitle.Trim(), command.CalledAeTitle?.Trim() is { Length: > 0 } called ? called : null, by, now)];
    }

    /// <summary>What the replica is told: whether it holds the delivery now, and otherwise who does or how it ended.</summary>
    public static DeliveryClaim Answer(InferenceResult result, ClaimDelivery command, DateTimeOffset now)
    {
        var (destination, replica) = (command.Destination.Trim(), command.Replica.Trim());
        var holder = result.FindHolder(destination);
        var state = result.FindDelivery(destination)?.Status switch
        {
            DeliveryStatus.Delivered => DeliveryClaimState.Delivered,
            DeliveryStatus.DeadLettered => DeliveryClaimState.DeadLettered,
            _ when holder is not null && holder.Replica == replica && holder.LeaseExpiresAt > now => DeliveryClaimState.Granted,
            _ => DeliveryClaimState.Held,
        };
        return new DeliveryClaim(state == DeliveryClaimState.Granted, state, holder?.Replica, holder?.LeaseExpiresAt);
    }

    private static (string Destination, string Replica) Validate(ClaimDelivery command)
    {
        var destination = command.Destination.Trim();
        if (destination.Length == 0)
        {
            throw DomainException.Invalid("destination names where the result goes (e.g. \"PACS1\"), as inference's configuration names it.");
        }
        var replica = command.Replica.Trim();
        if (replica.Length is 0 or > 200)
        {
            throw DomainException.Invalid("replica names the inference replica asking (1 to 200 characters, e.g. its pod name).");
        }
        if (command.LeaseSeconds is < 1 or > ClaimStudyProcessing.MaxSeconds)
        {
            throw DomainException.Invalid($"leaseSeconds is 1 to {ClaimStudyProcessing.MaxSeconds}.");
        }
        if (command.Objects.Count == 0)
        {
            throw DomainException.Invalid("objects lists what the delivery sends (at least one result object, as a blob digest and its SOP Instance UID).");
        }
        foreach (var sent in command.Objects)
        {
            BlobReference.Require(sent.Digest, "objects.digest");
            if (!Cases.AddCases.IsUid(sent.SopInstanceUid))
            {
                throw DomainException.Invalid($"objects.sopInstanceUid '{sent.SopInstanceUid}' is not a DICOM UID (digits and dots, at most 64 characters).");
            }
        }
        return (destination, replica);
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<DeliveryClaimGraphType>, DeliveryClaim>("claimDelivery")
        .Description("An inference replica asks to send a result to a destination; exactly one replica holds a delivery, under a lease it renews while sending.")
        .AuthorizeWithRoles(Roles.Service)
        .Argument<NonNullGraphType<ClaimDeliveryInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<ClaimDelivery>("input");
            var (by, now) = (context.Actor(), context.Now());
            Validate(command);
            var blobs = context.RequestServices!.GetRequiredService<IBlobStore>();
            var stored = new HashSet<string>(StringComparer.Ordinal);
            foreach (var sent in command.Objects)
            {
                var digest = BlobReference.Require(sent.Digest, "objects.digest");
                if (await blobs.GetInfoAsync(digest, context.CancellationToken) is not null)
                {
                    stored.Add(sent.Digest);
                }
            }
            var decided = await StreamDecision.DecideAsync<InferenceResult>(context.Store(), command.InferenceResultId,
                result => Decide(result, command, stored.Contains, by, now), context.CancellationToken);
            return Answer(decided!, command, now);
        });
}

public enum DeliveryClaimState
{
    /// <summary>The asking replica holds the delivery: it sends it.</summary>
    Granted,

    /// <summary>Another replica holds it until its lease runs out.</summary>
    Held,

    /// <summary>Its success is recorded: nobody sends it again.</summary>
    Delivered,

    /// <summary>Given up; only an admin's retryDelivery makes it claimable again.</summary>
    DeadLettered,
}

public sealed record DeliveryClaim(bool Granted, DeliveryClaimState State, string? Replica, DateTimeOffset? LeaseExpiresAt);

public sealed class DeliveryClaimGraphType : ObjectGraphType<DeliveryClaim>
{
    public DeliveryClaimGraphType()
    {
        Name = "DeliveryClaim";
        Field(claim => claim.Granted).Description("True when the asking replica holds the delivery and sends it.");
        Field(claim => claim.State, type: typeof(NonNullGraphType<DeliveryClaimStateGraphType>));
        Field(claim => claim.Replica, nullable: true).Description("The replica that holds or last held the delivery.");
        Field(claim => claim.LeaseExpiresAt, nullable: true);
    }
}

public sealed class DeliveryClaimStateGraphType : EnumerationGraphType<DeliveryClaimState>
{
    public DeliveryClaimStateGraphType() => Name = "DeliveryClaimState";
}

public sealed class ClaimDeliveryInputType : AutoRegisteringInputObjectGraphType<ClaimDelivery>
{
    public ClaimDeliveryInputType() => Name = "ClaimDeliveryInput";
}

public sealed class DeliveryObjectInputType : AutoRegisteringInputObjectGraphType<DeliveryObject>
{
    public DeliveryObjectInputType() => Name = "DeliveryObjectInput";
}

public sealed class DeliveryObjectGraphType : ObjectGraphType<DeliveryObject>
{
    public DeliveryObjectGraphType()
    {
        Name = "DeliveryObject";
        Field(sent => sent.Digest).Description("The object's bytes as a blob in labeling's store (GET /blobs/<digest>).");
        Field(sent => sent.SopInstanceUid);
    }
}
