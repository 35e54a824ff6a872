using System.Text.Json.Serialization;

namespace Cl2.Models.Checkpoints;

/// <summary>Where a model version came from, so that every version can say what made it.</summary>
/// <param name="TrainingDataDigest">Digest of the label set (case ids and label revisions) it was trained on; null for imported models.</param>
/// <param name="BaseVersion">Content address of the checkpoint it was fine-tuned from; null when trained from scratch.</param>
/// <param name="CodeVersion">The source revision of the trainer (e.g. a git commit); for an import, of the importer.</param>
/// <param name="ImportedFrom">"sha256:&lt;hex&gt;" of the file a model trained elsewhere was imported from; null for our own training.</param>
/// <param name="Numerics">The numerics it was trained on; null for imported models and checkpoints written before it was recorded.</param>
/// <param name="Sampling">Patches, augmentation and seed it was trained with; null for imported models and checkpoints written before it was recorded.</param>
public sealed record TrainingLineage(
    string? TrainingDataDigest,
    string? BaseVersion,
    string CodeVersion,
    string? ImportedFrom = null,
    // Left out when null, so manifests written before it keep their content address.
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TrainingNumerics? Numerics = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TrainingSampling? Sampling = null);
