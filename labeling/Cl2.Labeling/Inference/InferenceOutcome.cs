namespace Cl2.Labeling.Inference;

// How a run of inference on a study went, beyond its result objects: the routing decision that chose it, the time each
// stage took, and, when it did not produce a result, why (a code clients switch on, and words a person can act on).

/// <summary>The stages of inference on a study, in the order they run.</summary>
public enum InferenceStage
{
    /// <summary>From the study's first instance to its being complete (quiet period or required series).</summary>
    WaitForCompleteness,
    /// <summary>Loading the model version (from the cache or the blob store) and reading the study's instances.</summary>
    Load,
    Preprocess,
    Model,
    Postprocess,
    Encode,
    Deliver,
}

public sealed record StageTiming(InferenceStage Stage, double DurationMs);

/// <summary>Why a study produced no result: each is an outcome recorded like a result, never an exception in a log.</summary>
public enum InferenceFailure
{
    /// <summary>No routing rule took the study (the decision says why each did not).</summary>
    NoRuleMatched,
    /// <summary>The rule's model has no version in production.</summary>
    NoProductionVersion,
    /// <summary>The workload needs a series the study lacks (a brain study without FLAIR).</summary>
    MissingSeries,
    /// <summary>A series cannot form a volume (uneven spacing, mixed orientation).</summary>
    UnusableVolume,
    /// <summary>The production version's manifest does not fit the workload, or its weights do not match their digest.</summary>
    ManifestMismatch,
    /// <summary>An instance of the study cannot be read.</summary>
    CorruptInstance,
    /// <summary>The workload failed for another reason; the explanation says which.</summary>
    WorkloadFailed,
}

/// <summary>
/// Which routing rule took the study, and why every rule tried before it did not (or, with no rule, why none did),
/// decided on the routing table at <see cref="TableVersion"/>.
/// </summary>
public sealed record RoutingDecision(int TableVersion, Guid? RuleId, string? RuleName, int? RuleVersion, IReadOnlyList<string> Explanation);
