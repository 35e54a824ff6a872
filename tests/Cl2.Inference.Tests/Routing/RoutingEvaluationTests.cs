using Cl2.Inference.Routing;
using Cl2.Labeling.Client;

namespace Cl2.Inference.Tests.Routing;

/// <summary>The routing decision as a pure function of the table and the study: no network, no store.</summary>
public sealed class RoutingEvaluationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(100);

    private static readonly StudyForRouting BrainStudy = new("1.2.3", "MRI1", "CL2",
    [
        new("1.2.3.1", "MR", "HEAD", ["1.2.840.10008.5.1.4.1.1.4"], "T1 post contrast", 40),
        new("1.2.3.2", "MR", "HEAD", ["1.2.840.10008.5.1.4.1.1.4"], "AX FLAIR", 30),
    ]);

    private static RoutingRuleInfo Rule(string name, int priority = 10, string? modality = null, string? seriesDescription = null, string? callingAeTitle = null,
        int? minInstances = null, string workload = "pass-through") =>
        new(Guid.NewGuid(), name, priority, workload, null, callingAeTitle, null, modality, null, null, seriesDescription, minInstances, null, 1);

    [Fact]
    public void the_first_rule_in_priority_order_that_matches_takes_the_study()
    {
        var table = new RoutingTableInfo(4, [Rule("later", priority: 20, modality: "MR"), Rule("first", priority: 5, modality: "MR")]);

        var (rule, decision) = RoutingEvaluation.Decide(table, BrainStudy, Timeout);

        Assert.Equal("first", rule!.Name);
        Assert.Equal((4, rule.Id, "first"), (decision.TableVersion, decision.RuleId!.Value, decision.RuleName!));
        Assert.Single(decision.Explanation);
    }

    [Fact]
    public void each_rule_that_did_not_match_says_which_condition_failed()
    {
        var table = new RoutingTableInfo(2, [Rule("ct only", priority: 1, modality: "CT"), Rule("other sender", priority: 2, callingAeTitle: "PACS2"),
            Rule("flair", priority: 3, seriesDescription: "(?i)flair")]);

        var (rule, decision) = RoutingEvaluation.Decide(table, BrainStudy, Timeout);

        Assert.Equal("flair", rule!.Name);
        Assert.Contains("modality is MR, the rule wants CT", decision.Explanation[0]);
        Assert.Contains("the calling AE is MRI1, the rule wants PACS2", decision.Explanation[1]);
        Assert.Contains("matched", decision.Explanation[2]);
    }

    [Fact]
    public void all_series_conditions_must_hold_for_one_series()
    {
        // One series is a FLAIR, another has 40 instances; none is a FLAIR with 40.
        var table = new RoutingTableInfo(1, [Rule("big flair", seriesDescription: "FLAIR", minInstances: 35)]);

        var (rule, decision) = RoutingEvaluation.Decide(table, BrainStudy, Timeout);

        Assert.Null(rule);
        Assert.Contains("series 1.2.3.1: series description 'T1 post contrast' does not match /FLAIR/", decision.Explanation[0]);
        Assert.Contains("series 1.2.3.2: 30 instances, the rule wants at least 35", decision.Explanation[0]);
    }

    [Fact]
    public void no_rule_matching_is_a_decision_that_names_no_rule()
    {
        var (rule, decision) = RoutingEvaluation.Decide(new RoutingTableInfo(0, []), BrainStudy, Timeout);

        Assert.Null(rule);
        Assert.Null(decision.RuleId);
        Assert.Contains("has no rules", Assert.Single(decision.Explanation));
    }

    [Fact]
    public void a_pattern_that_runs_past_its_timeout_does_not_match_and_says_why()
    {
        var study = BrainStudy with { Series = [new("1.2.3.9", "MR", null, ["1.2.840.10008.5.1.4.1.1.4"], new string('a', 40) + "!", 1)] };
        var table = new RoutingTableInfo(1, [Rule("runaway", seriesDescription: "^(a|aa)+$")]);

        var (rule, decision) = RoutingEvaluation.Decide(table, study, TimeSpan.FromMilliseconds(20));

        Assert.Null(rule);
        Assert.Contains("Inference:Routing:PatternTimeout", decision.Explanation[0]);
    }
}
