using System.Globalization;

namespace Cl2.Labeling.Models;

/// <summary>
/// One stretch of time a version was in production: from the change that put it there until the next change (null while
/// it is still in production), who made that change (an ML engineer, or the evaluation gate: <see cref="ByGate"/>), and
/// why where the events say (what the gate saw, or the reason the ML engineer gave).
/// </summary>
public sealed record ProductionPeriod(
    ModelVersion Version,
    DateTimeOffset From,
    DateTimeOffset? To,
    ProductionChange Change,
    string ChangedBy,
    bool ByGate,
    string? Reason);

public static class ProductionHistory
{
    /// <summary>
    /// The model's production periods, newest first, replayed from its stream (no projection: a model's stream is short,
    /// and the times are those the decisions recorded, as <see cref="Model.AsOf"/> reads them). Each period ends when the
    /// next one begins, so the periods meet. Null when the stream holds no model (never registered, or deleted).
    /// </summary>
    public static IReadOnlyList<ProductionPeriod>? Of(IReadOnlyList<object> events)
    {
        if (events.OfType<ModelDeleted>().Any() || Model.AsOf(events, DateTimeOffset.MaxValue) is not { } model)
        {
            return null;
        }
        var started = new List<ProductionPeriod>();
        var evaluations = new Dictionary<Guid, ModelVersionEvaluated>();
        double? margin = null;
        foreach (var @event in events)
        {
            switch (@event)
            {
                case PromotionGateSet set:
                    margin = set.Margin;
                    break;
                case ModelVersionEvaluated evaluated:
                    evaluations[evaluated.VersionId] = evaluated;
                    break;
                case ModelVersionPromoted { PromotedBy: RecordModelEvaluation.GateActor } promoted when evaluations.TryGetValue(promoted.VersionId, out var passed):
                    started.Add(new(model.FindVersion(promoted.VersionId)!, promoted.PromotedAt, null, ProductionChange.Promoted, promoted.PromotedBy, true,
                        GateReason(passed, margin)));
                    break;
                case ModelVersionPromoted promoted:
                    started.Add(new(model.FindVersion(promoted.VersionId)!, promoted.PromotedAt, null, ProductionChange.Promoted, promoted.PromotedBy, false, promoted.Reason));
                    break;
                case ModelVersionRolledBack rolledBack:
                    started.Add(new(model.FindVersion(rolledBack.ToVersionId)!, rolledBack.RolledBackAt, null, ProductionChange.RolledBack, rolledBack.RolledBackBy,
                        false, rolledBack.Reason));
                    break;
            }
        }
        return [.. started.Select((period, index) => index + 1 < started.Count ? period with { To = started[index + 1].From } : period).Reverse()];
    }

    /// <summary>What the gate saw when it promoted: each set's metric beside production's, and the margin it allowed.</summary>
    private static string GateReason(ModelVersionEvaluated evaluated, double? margin)
    {
        var sets = evaluated.Sets.Select(set => string.Create(CultureInfo.InvariantCulture,
            $"{set.Metric} {set.Candidate:0.####} on the {set.Split.ToString().ToLowerInvariant()} set ({set.CaseCount} cases)") +
            (set.Production is { } production ? string.Create(CultureInfo.InvariantCulture, $" against production's {production:0.####}") : ", no production version to compare with"));
        var allowed = margin is { } m ? string.Create(CultureInfo.InvariantCulture, $" within the margin {m:0.####}") : "";
        return $"Passed the evaluation gate{allowed}: {string.Join("; ", sets)}.";
    }
}
