using GraphQL.Types;

namespace Cl2.Labeling.Models;

public sealed class PromotionGateGraphType : ObjectGraphType<PromotionGate>
{
    public PromotionGateGraphType()
    {
        Name = "PromotionGate";
        Field(gate => gate.Margin).Description("How far below production a candidate's metric may fall on a set and still pass.");
        Field(gate => gate.AutoPromote).Description("A passing candidate is promoted by the gate; otherwise an ML engineer promotes it.");
        Field(gate => gate.SetBy);
        Field(gate => gate.SetAt);
    }
}

public sealed class EvaluationSetGraphType : ObjectGraphType<EvaluationSet>
{
    public EvaluationSetGraphType()
    {
        Name = "EvaluationSet";
        Field(set => set.Split, type: typeof(NonNullGraphType<EvaluationSplitGraphType>));
        Field(set => set.Metric);
        Field(set => set.CaseCount);
        Field(set => set.Candidate).Description("The candidate's metric on these cases (higher is better).");
        Field(set => set.Production, nullable: true).Description("The production version's metric on the same cases.");
    }
}

public sealed class ModelEvaluationGraphType : ObjectGraphType<ModelVersionEvaluated>
{
    public ModelEvaluationGraphType()
    {
        Name = "ModelEvaluation";
        Field<IdGraphType, Guid?>("productionVersionId").Resolve(context => context.Source.ProductionVersionId);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<EvaluationSetGraphType>>>, IEnumerable<EvaluationSet>>("sets")
            .Resolve(context => context.Source.Sets);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<IdGraphType>>>, IEnumerable<Guid>>("feedbackIds")
            .Description("The corrected feedback whose cases made the feedback set.")
            .Resolve(context => context.Source.FeedbackIds);
        Field(evaluated => evaluated.GateFailure, nullable: true).Description("Why the gate refused the candidate; null when it passed or the model had no gate.");
        Field(evaluated => evaluated.EvaluatedBy);
        Field(evaluated => evaluated.EvaluatedAt);
    }
}
