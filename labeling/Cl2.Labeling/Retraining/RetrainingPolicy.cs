using Cl2.Labeling.Database;
using Marten.Schema;

namespace Cl2.Labeling.Retraining;

// A model's retraining policy: one stream per model (its id derived from the model's, so it is found without a lookup
// and two first settings meet on one stream). Every change of the policy and every job it requested is an event here,
// and the stream version is what makes "at most one job per trigger" hold when replicas check at the same moment.

/// <param name="NewLabelThreshold">Request training once this many approved labels of the dataset or corrections of the
/// model's results arrived since the last data cut; null: no count trigger.</param>
/// <param name="ScheduleMinutes">Request training this long after the last request (or the policy's first setting) when
/// anything new arrived; null: no schedule.</param>
public sealed record RetrainingPolicySet(
    Guid PolicyId,
    Guid ModelId,
    Guid DatasetId,
    int? NewLabelThreshold,
    int? ScheduleMinutes,
    string SetBy,
    DateTimeOffset SetAt);

/// <summary>The policy requested a training job; <see cref="DataCut"/> is the job's, and the next count starts after it.</summary>
public sealed record RetrainingTriggered(Guid PolicyId, Guid ModelId, Guid JobId, long DataCut, int NewLabels, string Reason, DateTimeOffset TriggeredAt);

/// <summary>One setting of the policy, with who made it and when.</summary>
public sealed record RetrainingPolicyChange(Guid DatasetId, int? NewLabelThreshold, int? ScheduleMinutes, string SetBy, DateTimeOffset SetAt);

public sealed record RetrainingPolicy(
    Guid Id,
    Guid ModelId,
    Guid DatasetId,
    int? NewLabelThreshold,
    int? ScheduleMinutes,
    IReadOnlyList<RetrainingPolicyChange> Changes,
    Guid? LastJobId,
    long LastDataCut,
    DateTimeOffset? LastTriggeredAt)
{
    [Version]
    public long Version { get; set; }

    public bool IsOn => NewLabelThreshold is not null || ScheduleMinutes is not null;

    /// <summary>The policy stream of a model.</summary>
    public static Guid StreamIdOf(Guid modelId) => NameBasedId.Of("cl2:retraining-policy:", modelId);

    public static RetrainingPolicy Create(RetrainingPolicySet set) =>
        new(set.PolicyId, set.ModelId, set.DatasetId, set.NewLabelThreshold, set.ScheduleMinutes,
            [new RetrainingPolicyChange(set.DatasetId, set.NewLabelThreshold, set.ScheduleMinutes, set.SetBy, set.SetAt)], null, 0, null);

    public static RetrainingPolicy Apply(RetrainingPolicySet set, RetrainingPolicy policy) => policy with
    {
        DatasetId = set.DatasetId,
        NewLabelThreshold = set.NewLabelThreshold,
        ScheduleMinutes = set.ScheduleMinutes,
        Changes = [.. policy.Changes, new RetrainingPolicyChange(set.DatasetId, set.NewLabelThreshold, set.ScheduleMinutes, set.SetBy, set.SetAt)],
    };

    public static RetrainingPolicy Apply(RetrainingTriggered triggered, RetrainingPolicy policy) => policy with
    {
        LastJobId = triggered.JobId,
        LastDataCut = triggered.DataCut,
        LastTriggeredAt = triggered.TriggeredAt,
    };
}
