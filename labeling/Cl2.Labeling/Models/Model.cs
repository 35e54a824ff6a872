using Marten.Schema;

namespace Cl2.Labeling.Models;

// The model stream: one stream per model, its versions and every change of stage. Keeping versions in their model's
// stream lets one optimistic check (the stream version) guard promotions, and "production at time T" replay one stream.

public sealed record ModelRegistered(Guid ModelId, string Name, string Task, string RegisteredBy, DateTimeOffset RegisteredAt);

public sealed record Metric(string Name, double Value);

/// <summary>Where an imported version's weights came from: the digest of the file brought in (a PyTorch state dict or a
/// TorchScript archive) and what it is, in the importer's words.</summary>
public sealed record ModelImport(string SourceDigest, string Description);

/// <summary>What a version was made from: enough to retrain it, and to say which labels and feedback it has seen. A version
/// trained elsewhere and imported has no data digest or training lineage here, and says so with <see cref="ImportedFrom"/>.</summary>
public sealed record ModelLineage(
    Guid? BaseVersionId,
    IReadOnlyList<Guid> LabelRevisionIds,
    IReadOnlyList<Guid> FeedbackIds,
    string? DataDigest,
    string CodeVersion,
    Guid? TrainingJobId = null,
    ModelImport? ImportedFrom = null,
    long? DataCut = null,
    IReadOnlyList<AcceptedResultLabel>? AcceptedResults = null);

/// <summary>A result a radiologist accepted, trained on with the model's own output as its label, and the weight its
/// samples had in the loss (an annotator's label or a correction weighs 1).</summary>
public sealed record AcceptedResultLabel(Guid FeedbackId, Guid InferenceResultId, double Weight);

public sealed record ModelVersionRegistered(
    Guid ModelId,
    Guid VersionId,
    int Number,
    IReadOnlyList<Metric> Metrics,
    ModelLineage Lineage,
    string ArtifactDigest,
    string RegisteredBy,
    DateTimeOffset RegisteredAt);

/// <summary><see cref="Reason"/>: why, as the ML engineer said it (null for the gate, and in events written before reasons existed).</summary>
public sealed record ModelVersionPromoted(Guid ModelId, Guid VersionId, Guid? ReplacedVersionId, string PromotedBy, DateTimeOffset PromotedAt,
    string? Reason = null);

public sealed record ModelVersionRetired(Guid ModelId, Guid VersionId, string RetiredBy, DateTimeOffset RetiredAt);

/// <summary>A model registered by mistake (a wrong task or name) withdrawn before it had versions; its name is free again.</summary>
public sealed record ModelDeleted(Guid ModelId, string Name, string DeletedBy, DateTimeOffset DeletedAt);

/// <summary><see cref="Reason"/>: why, as the ML engineer said it (null when none was given, and in events written before reasons existed).</summary>
public sealed record ModelVersionRolledBack(Guid ModelId, Guid FromVersionId, Guid ToVersionId, string RolledBackBy, DateTimeOffset RolledBackAt,
    string? Reason = null);

public enum ModelStage
{
    /// <summary>Registered, never in production.</summary>
    Candidate,
    Production,
    /// <summary>Was in production until a newer version was promoted; a rollback can bring it back.</summary>
    Archived,
    /// <summary>Withdrawn from production by a rollback.</summary>
    RolledBack,
    /// <summary>Never to be used again.</summary>
    Retired,
    /// <summary>Refused by the evaluation gate (its reason is on the version); never promoted.</summary>
    Rejected,
}

public sealed record ModelVersion(
    Guid Id,
    Guid ModelId,
    int Number,
    ModelStage Stage,
    IReadOnlyList<Metric> Metrics,
    ModelLineage Lineage,
    string ArtifactDigest,
    string RegisteredBy,
    DateTimeOffset RegisteredAt,
    ModelVersionEvaluated? Evaluation = null,
    string? RejectionReason = null);

/// <summary>The model aggregate, stored as an inline snapshot so reads never replay the stream.</summary>
public sealed partial record Model(
    Guid Id,
    string Name,
    string Task,
    string RegisteredBy,
    DateTimeOffset RegisteredAt,
    IReadOnlyList<ModelVersion> Versions,
    // Versions that were in production, oldest first; the last one is in production now. A rollback pops it.
    IReadOnlyList<Guid> ProductionHistory,
    PromotionGate? Gate = null)
{
    [Version]
    public long Version { get; set; }

    public Guid? ProductionVersionId => ProductionHistory.Count > 0 ? ProductionHistory[^1] : null;

    public ModelVersion? FindVersion(Guid versionId) => Versions.FirstOrDefault(version => version.Id == versionId);

    public static Model Create(ModelRegistered registered) =>
        new(registered.ModelId, registered.Name, registered.Task, registered.RegisteredBy, registered.RegisteredAt, [], []);

    public static Model Apply(ModelVersionRegistered registered, Model model) => model with
    {
        Versions =
        [
            .. model.Versions,
            new ModelVersion(registered.VersionId, registered.ModelId, registered.Number, ModelStage.Candidate, registered.Metrics,
                registered.Lineage, registered.ArtifactDigest, registered.RegisteredBy, registered.RegisteredAt),
        ],
    };

    public static Model Apply(ModelVersionPromoted promoted, Model model) => model
        .WithStage(promoted.ReplacedVersionId, ModelStage.Archived)
        .WithStage(promoted.VersionId, ModelStage.Production) with
    {
        ProductionHistory = [.. model.ProductionHistory.Where(id => id != promoted.VersionId), promoted.VersionId],
    };

    public static Model Apply(ModelVersionRetired retired, Model model) => model.WithStage(retired.VersionId, ModelStage.Retired) with
    {
        ProductionHistory = [.. model.ProductionHistory.Where(id => id != retired.VersionId)],
    };

    public static Model Apply(ModelVersionRolledBack rolledBack, Model model) => model
        .WithStage(rolledBack.FromVersionId, ModelStage.RolledBack)
        .WithStage(rolledBack.ToVersionId, ModelStage.Production) with
    {
        ProductionHistory = [.. model.ProductionHistory.Where(id => id != rolledBack.FromVersionId)],
    };

    public static bool ShouldDelete(ModelDeleted deleted) => true;

    public static Model Apply(PromotionGateSet set, Model model) => model with
    {
        Gate = new PromotionGate(set.Margin, set.AutoPromote, set.SetBy, set.SetAt),
    };

    public static Model Apply(ModelVersionEvaluated evaluated, Model model) => model with
    {
        Versions = [.. model.Versions.Select(version => version.Id == evaluated.VersionId ? version with { Evaluation = evaluated } : version)],
    };

    public static Model Apply(ModelVersionRejected rejected, Model model) => model with
    {
        Versions = [.. model.Versions.Select(version => version.Id == rejected.VersionId
            ? version with { Stage = ModelStage.Rejected, RejectionReason = rejected.Reason }
            : version)],
    };

    private Model WithStage(Guid? versionId, ModelStage stage) => versionId is null
        ? this
        : this with { Versions = [.. Versions.Select(version => version.Id == versionId ? version with { Stage = stage } : version)] };

    /// <summary>
    /// Replays a model's events up to an instant, by the time each event says it happened (the decision's clock,
    /// not the database's), so "what was in production at T" answers from the facts alone.
    /// </summary>
    public static Model? AsOf(IEnumerable<object> events, DateTimeOffset at)
    {
        Model? model = null;
        foreach (var @event in events)
        {
            model = @event switch
            {
                ModelRegistered e when e.RegisteredAt <= at => Create(e),
                ModelVersionRegistered e when model is not null && e.RegisteredAt <= at => Apply(e, model),
                ModelVersionPromoted e when model is not null && e.PromotedAt <= at => Apply(e, model),
                ModelVersionRetired e when model is not null && e.RetiredAt <= at => Apply(e, model),
                ModelVersionRolledBack e when model is not null && e.RolledBackAt <= at => Apply(e, model),
                PromotionGateSet e when model is not null && e.SetAt <= at => Apply(e, model),
                ModelVersionEvaluated e when model is not null && e.EvaluatedAt <= at => Apply(e, model),
                ModelVersionRejected e when model is not null && e.RejectedAt <= at => Apply(e, model),
                _ => model,
            };
        }
        return model;
    }
}
