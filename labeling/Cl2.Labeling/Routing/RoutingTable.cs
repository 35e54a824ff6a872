using Marten.Schema;

namespace Cl2.Labeling.Routing;

// The routing table: one stream holds every rule inference routes received studies by. One stream, so that one stream
// version guards every change (an engineer editing a rule another just changed hears ROUTING_TABLE_CONFLICT), and the
// table as it was at any change is a replay of one stream.

/// <summary>What a study must look like for a rule to take it; a null condition matches anything. The series conditions
/// (modality, body part, SOP class, series description, instance counts) must all hold for one series of the study.</summary>
public sealed record RoutingMatch(
    string? CallingAeTitle,
    string? CalledAeTitle,
    string? Modality,
    string? BodyPart,
    string? SopClassUid,
    string? SeriesDescription,
    int? MinInstances,
    int? MaxInstances);

/// <summary>A rule was added (<see cref="RuleVersion"/> 1) or changed (its next version).</summary>
public sealed record RoutingRuleSaved(
    Guid RuleId,
    string Name,
    int Priority,
    RoutingMatch Match,
    string Workload,
    string? ModelName,
    int RuleVersion,
    string SavedBy,
    DateTimeOffset SavedAt);

public sealed record RoutingRuleDeleted(Guid RuleId, string Name, string DeletedBy, DateTimeOffset DeletedAt);

public sealed record RoutingRule(
    Guid Id,
    string Name,
    int Priority,
    RoutingMatch Match,
    string Workload,
    string? ModelName,
    int RuleVersion,
    string SavedBy,
    DateTimeOffset SavedAt)
{
    public static RoutingRule From(RoutingRuleSaved saved) =>
        new(saved.RuleId, saved.Name, saved.Priority, saved.Match, saved.Workload, saved.ModelName, saved.RuleVersion, saved.SavedBy, saved.SavedAt);
}

/// <summary>The routing table (inline snapshot); <see cref="Version"/> is the stream version callers decide on.</summary>
public sealed record RoutingTable(Guid Id, IReadOnlyList<RoutingRule> Rules)
{
    /// <summary>The one routing table's stream (a random v4, fixed forever).</summary>
    public static readonly Guid StreamId = new("3c9d51f2-8a47-4e0b-b6a1-5d2f7c0e9a34");

    /// <summary>The workloads a rule can select: the three trained ones and <c>pass-through</c> (no model).</summary>
    public static readonly IReadOnlyList<string> Workloads = ["brain-mri", "liver-ct", "hip-xray", PassThrough];

    public const string PassThrough = "pass-through";

    [Version]
    public long Version { get; set; }

    public RoutingRule? Find(Guid ruleId) => Rules.FirstOrDefault(rule => rule.Id == ruleId);

    /// <summary>The rules in the order inference tries them: priority (lowest first), then name.</summary>
    public IReadOnlyList<RoutingRule> Ordered() => [.. Rules.OrderBy(rule => rule.Priority).ThenBy(rule => rule.Name, StringComparer.Ordinal)];

    public static RoutingTable Create(RoutingRuleSaved saved) => new(StreamId, [RoutingRule.From(saved)]);

    public static RoutingTable Apply(RoutingRuleSaved saved, RoutingTable table) =>
        table with { Rules = [.. table.Rules.Where(rule => rule.Id != saved.RuleId), RoutingRule.From(saved)] };

    public static RoutingTable Apply(RoutingRuleDeleted deleted, RoutingTable table) =>
        table with { Rules = [.. table.Rules.Where(rule => rule.Id != deleted.RuleId)] };
}
