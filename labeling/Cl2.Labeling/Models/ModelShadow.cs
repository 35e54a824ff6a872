namespace Cl2.Labeling.Models;

// Shadow mode: a candidate runs beside production on incoming studies, its results never delivered, so its agreement with
// production (and with radiologists' later corrections) can be seen before anyone promotes it. The choice of shadow lives
// in the model's stream, beside the stages it depends on, so "the shadow is a candidate" is checked on one stream version.

/// <summary>An ML engineer chose the candidate to run in shadow beside production; <paramref name="ReplacedVersionId"/> is the
/// shadow it took the place of, if one was set (a model has at most one shadow).</summary>
public sealed record ModelVersionShadowed(Guid ModelId, Guid VersionId, Guid? ReplacedVersionId, string ShadowedBy, DateTimeOffset ShadowedAt);

/// <summary>An ML engineer stopped running the version in shadow.</summary>
public sealed record ModelShadowCleared(Guid ModelId, Guid VersionId, string ClearedBy, DateTimeOffset ClearedAt);

/// <summary>The last shadow set on a model: who chose which version, and when.</summary>
public sealed record ModelShadow(Guid VersionId, string ShadowedBy, DateTimeOffset ShadowedAt);

public sealed partial record Model
{
    /// <summary>The last shadow set and not cleared. It runs only while its version is a candidate: see <see cref="ActiveShadow"/>.</summary>
    public ModelShadow? Shadow { get; init; }

    /// <summary>
    /// The shadow that runs now, or null. A shadow ends by itself when its version stops being a candidate (promoted,
    /// rejected by the gate, retired): a candidate never becomes one again, so deriving it from the stage needs no event
    /// from those paths, and production never runs twice on the same study.
    /// </summary>
    public ModelShadow? ActiveShadow() => Shadow is { } shadow && FindVersion(shadow.VersionId)?.Stage == ModelStage.Candidate ? shadow : null;

    public static Model Apply(ModelVersionShadowed shadowed, Model model) => model with
    {
        Shadow = new ModelShadow(shadowed.VersionId, shadowed.ShadowedBy, shadowed.ShadowedAt),
    };

    public static Model Apply(ModelShadowCleared cleared, Model model) => model with { Shadow = null };
}
