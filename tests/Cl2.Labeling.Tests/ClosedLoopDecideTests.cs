using Cl2.Labeling.Models;
using Cl2.Labeling.Retraining;
using Cl2.Labeling.Training;

namespace Cl2.Labeling.Tests;

/// <summary>The decide functions of the evaluation gate and the retraining policy: no database.</summary>
public sealed class ClosedLoopDecideTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static readonly PromotionGate Gate = new(0.02, AutoPromote: false, "ml", Now);

    private static Model ProductionModel()
    {
        var model = Model.Create(new ModelRegistered(Guid.NewGuid(), "liver", "liver-ct", "ml", Now));
        var versionId = Guid.NewGuid();
        model = Model.Apply(new ModelVersionRegistered(model.Id, versionId, 1, [], new ModelLineage(null, [], [], Digest, "git:1"), Digest, "ml", Now), model);
        return Model.Apply(new ModelVersionPromoted(model.Id, versionId, null, "ml", Now), model);
    }

    private static RetrainingPolicy Policy(Model model, int? threshold, int? scheduleMinutes) =>
        RetrainingPolicy.Create(new RetrainingPolicySet(RetrainingPolicy.StreamIdOf(model.Id), model.Id, Guid.NewGuid(), threshold, scheduleMinutes,
            "ml", Now));

    [Fact]
    public void the_gate_fails_a_candidate_more_than_the_margin_below_production()
    {
        var failure = Gate.Judge([new EvaluationSet(EvaluationSplit.Test, "dice", 10, 0.77, 0.80)]);

        Assert.NotNull(failure);
        Assert.Contains("dice on the test set", failure);
    }

    [Fact]
    public void the_gate_passes_a_candidate_within_the_margin()
    {
        Assert.Null(Gate.Judge([new EvaluationSet(EvaluationSplit.Test, "dice", 10, 0.79, 0.80), new EvaluationSet(EvaluationSplit.Feedback, "dice", 2, 0.70, 0.71)]));
    }

    [Fact]
    public void the_gate_fails_a_candidate_not_evaluated_on_the_test_split()
    {
        Assert.NotNull(Gate.Judge([new EvaluationSet(EvaluationSplit.Feedback, "dice", 2, 0.9, 0.5)]));
    }

    [Fact]
    public void a_policy_requests_a_job_from_the_production_version_at_its_threshold()
    {
        var model = ProductionModel();
        var jobId = Guid.NewGuid();

        var (appended, started) = RetrainingTrigger.Decide(Policy(model, 3, null), new RetrainingTrigger.Facts(model, false, 10, 42, 3), jobId, Now);

        var triggered = Assert.IsType<RetrainingTriggered>(Assert.Single(appended));
        var requested = Assert.IsType<TrainingRequested>(Assert.Single(started).Event);
        Assert.Equal((jobId, 42L), (triggered.JobId, triggered.DataCut));
        Assert.Equal((model.ProductionVersionId, 42L), (requested.BaseVersionId, requested.DataCut));
    }

    [Fact]
    public void a_policy_requests_nothing_below_its_threshold()
    {
        var model = ProductionModel();

        Assert.Empty(RetrainingTrigger.Decide(Policy(model, 3, null), new RetrainingTrigger.Facts(model, false, 10, 42, 2), Guid.NewGuid(), Now).Appended);
    }

    [Fact]
    public void a_policy_requests_nothing_while_a_job_of_the_model_is_pending()
    {
        var model = ProductionModel();

        Assert.Empty(RetrainingTrigger.Decide(Policy(model, 1, null), new RetrainingTrigger.Facts(model, true, 10, 42, 5), Guid.NewGuid(), Now).Started);
    }

    [Fact]
    public void a_scheduled_policy_requests_a_job_once_its_interval_passed_with_something_new()
    {
        var model = ProductionModel();
        var policy = Policy(model, null, 60);

        Assert.Empty(RetrainingTrigger.Decide(policy, new RetrainingTrigger.Facts(model, false, 0, 42, 1), Guid.NewGuid(), Now.AddMinutes(59)).Started);
        Assert.Empty(RetrainingTrigger.Decide(policy, new RetrainingTrigger.Facts(model, false, 0, 42, 0), Guid.NewGuid(), Now.AddMinutes(61)).Started);
        Assert.Single(RetrainingTrigger.Decide(policy, new RetrainingTrigger.Facts(model, false, 0, 42, 1), Guid.NewGuid(), Now.AddMinutes(61)).Started);
    }
}
