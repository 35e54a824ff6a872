using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Reading;
using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Types;
using GraphQL.Types.Relay;
using GraphQL.Types.Relay.DataObjects;
using Marten;

namespace Cl2.Labeling.Inference;

public static class DeliveryQueries
{
    public static void AddFields(ObjectGraphType query)
    {
        var dead = query.Field<NonNullGraphType<ConnectionType<DeliveryRecordGraphType>>, Connection<DeliveryRecord>>("deadLetteredDeliveries")
            .Description("Deliveries inference gave up on (a person has to look at each; retryDelivery tries one again), most recent first, paged.")
            .AuthorizeWithRoles(Roles.Anyone);
        Page.AddArguments(dead);
        dead.ResolveAsync(async context => await context.PageAsync<DeliveryRecord>(deliveries => deliveries
            .Where(delivery => delivery.Status == DeliveryStatus.DeadLettered)
            .OrderByDescending(delivery => delivery.LastAttemptAt).ThenBy(delivery => delivery.Id)));

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<DeliveryRecordGraphType>>>, IReadOnlyList<DeliveryRecord>>("expiredDeliveryLeases")
            .Description("Deliveries an inference replica claimed (claimDelivery) and neither finished nor renewed in time: any replica may claim and send one. Longest expired first.")
            .AuthorizeWithRoles(Roles.Service)
            .Argument<IntGraphType>("first", argument => argument.DefaultValue = 20)
            .ResolveAsync(async context =>
            {
                var first = Math.Clamp(context.GetArgument<int?>("first") ?? 20, 1, 200);
                var now = context.Now();
                await using var session = context.Store().QuerySession();
                return await session.Query<DeliveryRecord>()
                    .Where(delivery => delivery.Status == DeliveryStatus.Retrying && delivery.LeaseExpiresAt != null && delivery.LeaseExpiresAt < now)
                    .OrderBy(delivery => delivery.LeaseExpiresAt).Take(first).ToListAsync(context.CancellationToken);
            });
    }
}

public sealed class DeliveryRecordGraphType : ObjectGraphType<DeliveryRecord>
{
    public DeliveryRecordGraphType()
    {
        Name = "DeliveryRecord";
        Description = "One result's delivery to one destination.";
        Field(delivery => delivery.Id, type: typeof(NonNullGraphType<IdGraphType>)).Description("{inferenceResultId}/{destination}, as inference's outbox names it.");
        Field(delivery => delivery.InferenceResultId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(delivery => delivery.Destination);
        Field(delivery => delivery.Status, type: typeof(NonNullGraphType<DeliveryStatusGraphType>));
        Field(delivery => delivery.Attempts);
        Field(delivery => delivery.LastError, nullable: true);
        Field(delivery => delivery.LastAttemptAt);
        Field(delivery => delivery.DeliveredAt, nullable: true);
        Field(delivery => delivery.Replica, nullable: true).Description("The inference replica that holds or last held the delivery's lease (replicas only).");
        Field(delivery => delivery.LeaseExpiresAt, nullable: true);
        Field(delivery => delivery.StudyInstanceUid, nullable: true).Description("The result's study (set once the delivery was claimed).");
        Field(delivery => delivery.CallingAeTitle, nullable: true).Description("The AE that sent the study (set once the delivery was claimed).");
        Field(delivery => delivery.CalledAeTitle, nullable: true).Description("The AE title the objects go to when the claimer chose it (an XNAT project's).");
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<DeliveryObjectGraphType>>>, IEnumerable<DeliveryObject>>("objects")
            .Description("What the delivery sends, as blobs in labeling's store (empty until it was claimed).")
            .Resolve(context => context.Source.Objects ?? []);
        Field<NonNullGraphType<InferenceResultGraphType>, IDataLoaderResult<InferenceResult?>>("inferenceResult")
            .Description("The result (its study, model version and objects).")
            .Resolve(context => context.LoadById<InferenceResult>(context.Source.InferenceResultId));
    }
}
