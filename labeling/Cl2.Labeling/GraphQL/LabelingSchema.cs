using Cl2.Labeling.Cases;
using Cl2.Labeling.Cohorts;
using Cl2.Labeling.Datasets;
using Cl2.Labeling.Feedback;
using Cl2.Labeling.Inference;
using Cl2.Labeling.Labels;
using Cl2.Labeling.Models;
using Cl2.Labeling.Routing;
using Cl2.Labeling.Retraining;
using Cl2.Labeling.Scoring;
using Cl2.Labeling.Training;
using GraphQL.Types;

namespace Cl2.Labeling.GraphQL;

/// <summary>The schema: each feature slice adds its own fields to the root types.</summary>
public sealed class LabelingSchema : Schema
{
    public LabelingSchema(IServiceProvider services, LabelingQuery query, LabelingMutation mutation, LabelingSubscription subscription)
        : base(services)
    {
        Query = query;
        Mutation = mutation;
        Subscription = subscription;
        // Replaces GraphQL.NET's DateTimeOffset (same name, same SDL): it also takes nanosecond timestamps.
        RegisterType(new NanosecondDateTimeOffsetGraphType());
    }
}

public sealed class LabelingQuery : ObjectGraphType
{
    public LabelingQuery()
    {
        Name = "Query";
        DatasetQueries.AddFields(this);
        CaseQueries.AddFields(this);
        StudyCaseQueries.AddFields(this);
        LabelQueries.AddFields(this);
        ModelQueries.AddFields(this);
        ProductionHistoryQueries.AddFields(this);
        NextCase.AddField(this);
        ScoringQueries.AddFields(this);
        TrainingQueries.AddFields(this);
        TrainingSetReading.AddField(this);
        InferenceQueries.AddFields(this);
        DeliveryQueries.AddFields(this);
        RoutingQueries.AddFields(this);
        FeedbackQueries.AddFields(this);
        RetrainingPolicyQueries.AddFields(this);
        PacsStudies.AddField(this);
        PacsImportQueries.AddFields(this);
        RecentPacsImports.AddField(this);
        Audit.AccessAuditQueries.AddFields(this);
    }
}

public sealed class LabelingMutation : ObjectGraphType
{
    public LabelingMutation()
    {
        Name = "Mutation";
        CreateDataset.AddField(this);
        AddCases.AddField(this);
        AssignCase.AddField(this);
        ReleaseCase.AddField(this);
        RemoveCase.AddField(this);
        SubmitLabel.AddField(this);
        ImportLabels.AddField(this);
        ReviewLabel.AddField(this);
        RegisterModel.AddField(this);
        DeleteModel.AddField(this);
        RegisterModelVersion.AddField(this);
        PromoteModelVersion.AddField(this);
        RetireModelVersion.AddField(this);
        RollbackModel.AddField(this);
        SetPromotionGate.AddField(this);
        ShadowModelVersion.AddField(this);
        ClearModelShadow.AddField(this);
        RecordModelEvaluation.AddField(this);
        FixDatasetSplit.AddField(this);
        DefineDatasetLabels.AddField(this);
        PredictLabel.AddField(this);
        RequestTraining.AddField(this);
        ClaimTrainingJob.AddField(this);
        ReportTrainingProgress.AddField(this);
        RenewTrainingLease.AddField(this);
        CompleteTrainingJob.AddField(this);
        CancelTrainingJob.AddField(this);
        ResumeTrainingJob.AddField(this);
        SetActiveLearningStrategy.AddField(this);
        ClaimScoringJob.AddField(this);
        RenewScoringLease.AddField(this);
        CompleteScoringJob.AddField(this);
        RecordStudyReceived.AddField(this);
        RecordStudyForwardingStuck.AddField(this);
        RecordStudyForwardingResumed.AddField(this);
        ClaimStudyProcessing.AddField(this);
        FinishStudyProcessing.AddField(this);
        RecordStudyPartReceived.AddField(this);
        RecordStudyPartForwarded.AddField(this);
        RecordInferenceResult.AddField(this);
        Cl2.Labeling.Shadow.RecordShadowResult.AddField(this);
        RecordDelivery.AddField(this);
        ClaimDelivery.AddField(this);
        RetryDelivery.AddField(this);
        SaveRoutingRule.AddField(this);
        DeleteRoutingRule.AddField(this);
        GiveFeedback.AddField(this);
        OpenCorrectionCase.AddField(this);
        SetRetrainingPolicy.AddField(this);
        ImportFromPacs.AddField(this);
        ResumePacsImport.AddField(this);
    }
}

public sealed class LabelingSubscription : ObjectGraphType
{
    public LabelingSubscription()
    {
        Name = "Subscription";
        ModelSubscriptions.AddFields(this);
        TrainingSubscriptions.AddFields(this);
        InferenceSubscriptions.AddFields(this);
        FeedbackSubscriptions.AddFields(this);
        PacsImportSubscriptions.AddFields(this);
    }
}
