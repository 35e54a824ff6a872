using Cl2.Labeling.Feedback;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Labels;
using Cl2.Labeling.Reading;
using Cl2.Labeling.Shadow;
using GraphQL.DataLoader;
using GraphQL.Types;

namespace Cl2.Labeling.Models;

public sealed class ModelGraphType : ObjectGraphType<Model>
{
    public ModelGraphType()
    {
        Name = "Model";
        Field(model => model.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(model => model.Name);
        Field(model => model.Task);
        Field<NonNullGraphType<IntGraphType>, long>("version")
            .Description("The model's event count: pass it as expectedVersion to promote, retire or roll back.")
            .Resolve(context => context.Source.Version);
        Field(model => model.RegisteredBy);
        Field(model => model.RegisteredAt);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ModelVersionGraphType>>>, IEnumerable<ModelVersion>>("versions")
            .Resolve(context => context.Source.Versions);
        Field<ModelVersionGraphType, ModelVersion>("productionVersion")
            .Resolve(context => context.Source.ProductionVersionId is { } id ? context.Source.FindVersion(id) : null);
        Field<PromotionGateGraphType, PromotionGate>("promotionGate").Resolve(context => context.Source.Gate);
        Field<ModelShadowGraphType, RunningShadow>("shadow")
            .Description("The candidate running in shadow beside production; null when none is (a shadow ends when its version is promoted, rejected or retired).")
            .Resolve(context => RunningShadow.Of(context.Source));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ProductionPeriodGraphType>>>, IDataLoaderResult<IReadOnlyList<ProductionPeriod>>>("productionHistory")
            .Description("Every period a version was in production, newest first (as the productionHistory query).")
            .Resolve(context => ProductionHistoryQueries.Of(context, context.Source.Id).Then(periods => periods ?? []));
        Field<Datasets.DatasetGraphType, IDataLoaderResult<Datasets.Dataset?>>("feedbackDataset")
            .Description("The studies radiologists gave feedback on, as cases; null before the first feedback.")
            .Resolve(context => context.LoadById<Datasets.Dataset>(FeedbackCase.DatasetIdOf(context.Source.Id)));
    }
}

public sealed class ModelStageGraphType : EnumerationGraphType<ModelStage>
{
    public ModelStageGraphType() => Name = "ModelStage";
}

public sealed class MetricGraphType : ObjectGraphType<Metric>
{
    public MetricGraphType()
    {
        Name = "Metric";
        Field(metric => metric.Name);
        Field(metric => metric.Value);
    }
}

public sealed class ModelVersionGraphType : ObjectGraphType<ModelVersion>
{
    public ModelVersionGraphType()
    {
        Name = "ModelVersion";
        Field(version => version.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(version => version.ModelId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(version => version.Number);
        Field(version => version.Stage, type: typeof(NonNullGraphType<ModelStageGraphType>));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<MetricGraphType>>>, IEnumerable<Metric>>("metrics")
            .Resolve(context => context.Source.Metrics);
        Field(version => version.ArtifactDigest);
        Field(version => version.RegisteredBy);
        Field(version => version.RegisteredAt);
        Field<ModelEvaluationGraphType, ModelVersionEvaluated>("evaluation").Resolve(context => context.Source.Evaluation);
        Field(version => version.RejectionReason, nullable: true).Description("Why the evaluation gate rejected this version.");
        Field<ShadowReportGraphType, IDataLoaderResult<ShadowReport?>>("shadowReport")
            .Description("How the version did running in shadow beside production; null before it ran in shadow.")
            .Resolve(context => ShadowReport.Load(context, context.Source.Id));
        Field<NonNullGraphType<ModelLineageGraphType>, ModelVersion>("lineage").Resolve(context => context.Source);
        Field<NonNullGraphType<ModelGraphType>, IDataLoaderResult<Model?>>("model")
            .Resolve(context => context.LoadById<Model>(context.Source.ModelId));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>, IDataLoaderResult<IReadOnlyList<string>>>("correctedStudies")
            .Description("Study Instance UIDs this version inferred whose result a radiologist later corrected.")
            .Resolve(context => FeedbackQueries.CorrectedStudiesOf(context, context.Source.Id).Then(studies => studies ?? []));
    }
}

/// <summary>Lineage of a version (its source is the version, so the base version resolves within the same model).</summary>
public sealed class ModelLineageGraphType : ObjectGraphType<ModelVersion>
{
    public ModelLineageGraphType()
    {
        Name = "ModelLineage";
        Field<IdGraphType, Guid?>("baseVersionId").Resolve(context => context.Source.Lineage.BaseVersionId);
        Field<ModelVersionGraphType, IDataLoaderResult<ModelVersion?>?>("baseVersion").Resolve(context =>
            context.Source.Lineage.BaseVersionId is { } baseId
                ? context.LoadById<Model>(context.Source.ModelId).Then(model => model?.FindVersion(baseId))
                : null);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<IdGraphType>>>, IEnumerable<Guid>>("labelRevisionIds")
            .Resolve(context => context.Source.Lineage.LabelRevisionIds);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<LabelRevisionGraphType>>>, IDataLoaderResult<IEnumerable<LabelRevision>>>("labelRevisions")
            .Description("The label revisions this version was trained on.")
            .Resolve(context => new AllResults<LabelRevision>([.. context.Source.Lineage.LabelRevisionIds.Select(context.LoadById<LabelRevision>)]));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<IdGraphType>>>, IEnumerable<Guid>>("feedbackIds")
            .Resolve(context => context.Source.Lineage.FeedbackIds);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<FeedbackGraphType>>>, IDataLoaderResult<IEnumerable<GivenFeedback>>>("feedback")
            .Description("The radiologists' feedback this version was trained on.")
            .Resolve(context => new AllResults<GivenFeedback>([.. context.Source.Lineage.FeedbackIds.Select(context.LoadById<GivenFeedback>)]));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<AcceptedResultLabelGraphType>>>, IEnumerable<AcceptedResultLabel>>("acceptedResults")
            .Description("The results radiologists accepted that this version was trained on, the model's own output as the label, with the weight each had in the loss.")
            .Resolve(context => context.Source.Lineage.AcceptedResults ?? []);
        Field<IdGraphType, Guid?>("trainingJobId").Resolve(context => context.Source.Lineage.TrainingJobId);
        Field<LongGraphType, long?>("dataCut").Description("The event sequence number its training job's data was cut at.")
            .Resolve(context => context.Source.Lineage.DataCut);
        Field<StringGraphType, string?>("dataDigest")
            .Description("The digest of the data it was trained on; null for an imported version that did not give one.")
            .Resolve(context => context.Source.Lineage.DataDigest);
        Field<NonNullGraphType<StringGraphType>, string>("codeVersion").Resolve(context => context.Source.Lineage.CodeVersion);
        Field<NonNullGraphType<BooleanGraphType>, bool>("imported")
            .Description("True for a version trained elsewhere and imported (importedFrom says from what); false for one trained here.")
            .Resolve(context => context.Source.Lineage.ImportedFrom is not null);
        Field<ModelImportGraphType, ModelImport?>("importedFrom").Resolve(context => context.Source.Lineage.ImportedFrom);
    }
}

public sealed class ModelImportGraphType : ObjectGraphType<ModelImport>
{
    public ModelImportGraphType()
    {
        Name = "ModelImport";
        Description = "Where an imported version's weights came from.";
        Field(import => import.SourceDigest).Description("sha256: digest of the file that was imported (state dict or TorchScript).");
        Field(import => import.Description);
    }
}

public sealed class AcceptedResultLabelGraphType : ObjectGraphType<AcceptedResultLabel>
{
    public AcceptedResultLabelGraphType()
    {
        Name = "AcceptedResultLabel";
        Field(item => item.FeedbackId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(item => item.InferenceResultId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(item => item.Weight).Description("The weight of the case's samples in the training loss (an annotator's label or a correction weighs 1).");
    }
}
