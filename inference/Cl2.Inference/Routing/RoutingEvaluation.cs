using System.Globalization;
using System.Text.RegularExpressions;
using Cl2.Labeling.Client;

namespace Cl2.Inference.Routing;

/// <summary>The rule that took a study (null: none did), and the decision as it is recorded: why each rule tried did not take it.</summary>
public sealed record RoutingOutcome(RoutingRuleInfo? Rule, RoutingDecisionInfo Decision);

/// <summary>
/// Which rule takes a study: the first, in the table's order (priority, then name), whose conditions all hold. The AE
/// conditions hold for the study; the series conditions (modality, body part, SOP class, series description, instance
/// counts) must all hold for one series of it. Pure: the same table and study give the same decision.
/// </summary>
public static class RoutingEvaluation
{
    public static RoutingOutcome Decide(RoutingTableInfo table, StudyForRouting study, TimeSpan patternTimeout)
    {
        var explanation = new List<string>();
        foreach (var rule in table.Rules.OrderBy(rule => rule.Priority).ThenBy(rule => rule.Name, StringComparer.Ordinal))
        {
            var refusal = Refusal(rule, study, patternTimeout);
            if (refusal is null)
            {
                explanation.Add($"rule '{rule.Name}' (priority {rule.Priority}) matched: {rule.Workload}{(rule.ModelName is { } model ? $" with model '{model}'" : "")}");
                return new RoutingOutcome(rule, new RoutingDecisionInfo(table.Version, rule.Id, rule.Name, rule.RuleVersion, explanation));
            }
            explanation.Add($"rule '{rule.Name}' (priority {rule.Priority}) did not match: {refusal}");
        }
        explanation.Add(table.Rules.Count == 0
            ? $"no rule matched: the routing table (version {table.Version}) has no rules; add one with saveRoutingRule"
            : "no rule matched");
        return new RoutingOutcome(null, new RoutingDecisionInfo(table.Version, null, null, null, explanation));
    }

    /// <summary>Why the rule does not take the study, or null when it does.</summary>
    private static string? Refusal(RoutingRuleInfo rule, StudyForRouting study, TimeSpan patternTimeout)
    {
        if (rule.CallingAeTitle is { } calling && !SameAeTitle(calling, study.CallingAeTitle))
        {
            return $"the calling AE is {study.CallingAeTitle}, the rule wants {calling}";
        }
        if (rule.CalledAeTitle is { } called && !SameAeTitle(called, study.CalledAeTitle))
        {
            return $"the called AE is {study.CalledAeTitle}, the rule wants {called}";
        }
        Regex? pattern;
        try
        {
            pattern = rule.SeriesDescription is { } description ? new Regex(description, RegexOptions.CultureInvariant, patternTimeout) : null;
        }
        catch (ArgumentException invalid)
        {
            // Labeling validates patterns on save; a table written another way must still not stop routing.
            return $"its series description pattern does not compile ({invalid.Message})";
        }
        var reasons = new List<string>();
        foreach (var series in study.Series)
        {
            if (SeriesRefusal(rule, series, pattern) is not { } reason)
            {
                return null;
            }
            reasons.Add($"series {series.SeriesInstanceUid}: {reason}");
        }
        return reasons.Count == 0 ? "the study has no series" : string.Join("; ", reasons);
    }

    private static string? SeriesRefusal(RoutingRuleInfo rule, SeriesForRouting series, Regex? pattern)
    {
        if (rule.Modality is { } modality && !string.Equals(modality, series.Modality, StringComparison.OrdinalIgnoreCase))
        {
            return $"modality is {series.Modality ?? "absent"}, the rule wants {modality}";
        }
        if (rule.BodyPart is { } bodyPart && !string.Equals(bodyPart, series.BodyPart, StringComparison.OrdinalIgnoreCase))
        {
            return $"body part is {series.BodyPart ?? "absent"}, the rule wants {bodyPart}";
        }
        if (rule.SopClassUid is { } sopClass && !series.SopClassUids.Contains(sopClass))
        {
            return $"SOP class is {string.Join(", ", series.SopClassUids)}, the rule wants {sopClass}";
        }
        if (pattern is not null)
        {
            var description = series.SeriesDescription ?? "";
            try
            {
                if (!pattern.IsMatch(description))
                {
                    return $"series description '{description}' does not match /{pattern}/";
                }
            }
            catch (RegexMatchTimeoutException)
            {
                return $"matching series description '{description}' against /{pattern}/ took over {pattern.MatchTimeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms (Inference:Routing:PatternTimeout)";
            }
        }
        if (rule.MinInstances is { } least && series.InstanceCount < least)
        {
            return $"{series.InstanceCount} instances, the rule wants at least {least}";
        }
        if (rule.MaxInstances is { } most && series.InstanceCount > most)
        {
            return $"{series.InstanceCount} instances, the rule wants at most {most}";
        }
        return null;
    }

    // PS3.5 6.2: leading and trailing spaces of an AE title are not significant.
    private static bool SameAeTitle(string rule, string actual) => string.Equals(rule.Trim(), actual.Trim(), StringComparison.Ordinal);
}
