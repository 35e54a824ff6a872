using Cl2.Models.Transforms;

namespace Cl2.Models.Checkpoints;

/// <summary>How the training data was sampled, recorded in the manifest so a version says how it was trained.</summary>
/// <param name="PatchSize">The training patch in voxels (array order); null when whole images trained.</param>
/// <param name="ForegroundRatio">The share of patches centred on a labelled voxel; null without patches.</param>
/// <param name="Augmentation">The random augmentation; null when none.</param>
/// <param name="Seed">Seeds every sample's draws, with the epoch and the case.</param>
public sealed record TrainingSampling(IReadOnlyList<long>? PatchSize, double? ForegroundRatio, Augmentation? Augmentation, long Seed);
