using Cl2.Labeling.Feedback;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Models;
using Cl2.Labeling.Reading;
using GraphQL;
using GraphQL.DataLoader;
using GraphQL.Types;
using GraphQL.Types.Relay;
using GraphQL.Types.Relay.DataObjects;
using Marten;
using Marten.Linq;

namespace Cl2.Labeling.Inference;

public static class InferenceQueries
{
    public static void AddFields(ObjectGraphType query)
    {
        var results = query.Field<NonNullGraphType<ConnectionType<InferenceResultGraphType>>, Connection<InferenceResult>>("inferenceResults")
            .Description("Inference results for a study and/or a model version, newest first, paged.")
            .AuthorizeWithRoles(Roles.Anyone)
            .Argument<StringGraphType>("study", argument => argument.Description = "Study Instance UID.")
            .Argument<IdGraphType>("modelVersion");
        Page.AddArguments(results);
        results.ResolveAsync(async context =>
        {
            var study = context.GetArgument<string?>("study");
            var versionId = context.GetArgument<Guid?>("modelVersion");
            return await context.PageAsync<InferenceResult>(results =>
            {
                if (study is not null)
                {
                    results = results.Where(result => result.StudyInstanceUid == study);
                }
                if (versionId is { } version)
                {
                    results = results.Where(result => result.VersionId == version);
                }
                return results.OrderByDescending(result => result.CompletedAt).ThenBy(result => result.Id);
            });
        });

        query.FieldById<InferenceResultGraphType, InferenceResult>("inferenceResult", Roles.Anyone);

        var received = query.Field<NonNullGraphType<ConnectionType<ReceivedStudyGraphType>>, Connection<ReceivedStudy>>("recentlyReceivedStudies")
            .Description("Every study the listener received, newest first, paged (receivedStudies answers for one Study Instance UID).")
            .AuthorizeWithRoles(Roles.Anyone);
        Page.AddArguments(received);
        received.ResolveAsync(async context =>
            await context.PageAsync<ReceivedStudy>(studies => studies.OrderByDescending(study => study.ReceivedAt).ThenBy(study => study.Id)));

        var stuck = query.Field<NonNullGraphType<ConnectionType<StudyForwardingGraphType>>, Connection<StudyForwarding>>("stuckStudies")
            .Description("Studies inference stopped forwarding because labeling kept refusing them, most recently stuck first, paged. " +
                "Fix the cause (the reason says it), then POST /api/inference/forwarding/{study}/retry as an admin.")
            .AuthorizeWithRoles(Roles.Anyone);
        Page.AddArguments(stuck);
        stuck.ResolveAsync(async context => await context.PageAsync<StudyForwarding>(studies =>
            studies.Where(study => study.IsStuck).OrderByDescending(study => study.StuckAt).ThenBy(study => study.Id)));

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<ReceivedStudyGraphType>>>, IReadOnlyList<ReceivedStudy>>("receivedStudies")
            .Description("The study as inference received it: one entry per study (none when it was not received), its instance count the latest reported.")
            .AuthorizeWithRoles(Roles.Anyone)
            .Argument<NonNullGraphType<StringGraphType>>("study")
            .ResolveAsync(async context =>
            {
                var study = context.GetArgument<string>("study");
                await using var session = context.Store().QuerySession();
                return await session.Query<ReceivedStudy>().Where(received => received.StudyInstanceUid == study)
                    .OrderBy(received => received.ReceivedAt).ToListAsync(context.CancellationToken);
            });
    }

}

public sealed class ReceivedStudyGraphType : ObjectGraphType<ReceivedStudy>
{
    public ReceivedStudyGraphType()
    {
        Name = "ReceivedStudy";
        Field(received => received.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(received => received.StudyInstanceUid);
        Field(received => received.CallingAeTitle);
        Field(received => received.InstanceCount);
        Field(received => received.ReceivedBy);
        Field(received => received.ReceivedAt);
        Field<StudyForwardingGraphType, IDataLoaderResult<StudyForwarding?>>("forwarding")
            .Description("Whether inference stopped forwarding this study (more of its instances) and why; null when it never did.")
            .Resolve(context => context.LoadById<StudyForwarding>(StudyForwarding.IdOf(context.Source.StudyInstanceUid)));
    }
}

public sealed class StudyForwardingGraphType : ObjectGraphType<StudyForwarding>
{
    public StudyForwardingGraphType()
    {
        Name = "StudyForwarding";
        Description = "A study inference stopped forwarding to labeling after repeated refusals (or did, and resumed).";
        Field(forwarding => forwarding.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(forwarding => forwarding.StudyInstanceUid);
        Field(forwarding => forwarding.CallingAeTitle);
        Field(forwarding => forwarding.IsStuck).Description("True until inference tries the study again.");
        Field(forwarding => forwarding.Attempts).Description("Refusals in a row when it got stuck.");
        Field(forwarding => forwarding.Reason).Description("The last refusal.");
        Field(forwarding => forwarding.StuckAt);
        Field(forwarding => forwarding.ResumedAt, nullable: true);
    }
}

public sealed class DeliveryStatusGraphType : EnumerationGraphType<DeliveryStatus>
{
    public DeliveryStatusGraphType() => Name = "DeliveryStatus";
}

public sealed class DeliveryGraphType : ObjectGraphType<Delivery>
{
    public DeliveryGraphType()
    {
        Name = "Delivery";
        Field(delivery => delivery.Destination);
        Field(delivery => delivery.Status, type: typeof(NonNullGraphType<DeliveryStatusGraphType>));
        Field(delivery => delivery.Attempts);
        Field(delivery => delivery.LastError, nullable: true);
        Field(delivery => delivery.LastAttemptAt);
        Field(delivery => delivery.DeliveredAt, nullable: true);
        Field(delivery => delivery.DurationMs, nullable: true)
            .Description("Delivered: milliseconds from the result's hand-over to the sender until this destination had it (waits between attempts included).");
    }
}

public sealed class InferenceResultGraphType : ObjectGraphType<InferenceResult>
{
    public InferenceResultGraphType()
    {
        Name = "InferenceResult";
        Field(result => result.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(result => result.StudyInstanceUid);
        Field(result => result.ModelId, type: typeof(IdGraphType)).Description("Null when no model ran (pass-through, or a failure before one).");
        Field(result => result.VersionId, type: typeof(IdGraphType));
        Field(result => result.Pipeline).Description("The workload that ran (brain-mri, liver-ct, hip-xray, pass-through).");
        Field(result => result.Failure, type: typeof(InferenceFailureGraphType)).Description("Why the study produced no result; null when it did.");
        Field(result => result.FailureReason, nullable: true);
        Field(result => result.Routing, type: typeof(RoutingDecisionGraphType)).Description("The routing decision that chose the workload.");
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StageTimingGraphType>>>, IEnumerable<StageTiming>>("stages")
            .Description("The time each stage took, in the order they run.")
            .Resolve(context => context.Source.Stages ?? []);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>, IEnumerable<string>>("resultUids")
            .Description("SOP Instance UIDs of the results written (DICOM SEG, SR).")
            .Resolve(context => context.Source.ResultUids);
        Field(result => result.DurationMs);
        Field(result => result.CompletedBy);
        Field(result => result.CompletedAt);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<DeliveryGraphType>>>, IEnumerable<Delivery>>("deliveries")
            .Resolve(context => context.Source.Deliveries);
        Field<ModelVersionGraphType, IDataLoaderResult<ModelVersion?>?>("modelVersion")
            .Resolve(context => context.Source is { ModelId: { } modelId, VersionId: { } versionId }
                ? context.LoadById<Model>(modelId).Then(model => model?.FindVersion(versionId))
                : null);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<FeedbackGraphType>>>, IDataLoaderResult<IReadOnlyList<GivenFeedback>>>("feedback")
            .Description("What radiologists said about this result, oldest first.")
            .Resolve(context => FeedbackQueries.FeedbackOfResult(context, context.Source.Id).Then(feedback => feedback ?? []));
    }
}

public sealed class RoutingDecisionGraphType : ObjectGraphType<RoutingDecision>
{
    public RoutingDecisionGraphType()
    {
        Name = "RoutingDecision";
        Field(decision => decision.TableVersion).Description("The routing table's version the decision was taken on.");
        Field(decision => decision.RuleId, type: typeof(IdGraphType)).Description("The rule that took the study; null when none did.");
        Field(decision => decision.RuleName, nullable: true);
        Field(decision => decision.RuleVersion, nullable: true);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>, IEnumerable<string>>("explanation")
            .Description("Why each rule tried did not take the study, and why the one that did took it.")
            .Resolve(context => context.Source.Explanation);
    }
}

public sealed class StageTimingGraphType : ObjectGraphType<StageTiming>
{
    public StageTimingGraphType()
    {
        Name = "StageTiming";
        Field(timing => timing.Stage, type: typeof(NonNullGraphType<InferenceStageGraphType>));
        Field(timing => timing.DurationMs);
    }
}
