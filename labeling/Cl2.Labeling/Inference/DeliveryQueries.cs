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
        Field<NonNullGraphType<InferenceResultGraphType>, IDataLoaderResult<InferenceResult?>>("inferenceResult")
            .Description("The result (its study, model version and objects).")
            .Resolve(context => context.LoadById<InferenceResult>(context.Source.InferenceResultId));
    }
}
