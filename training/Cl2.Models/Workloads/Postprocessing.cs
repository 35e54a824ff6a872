namespace Cl2.Models.Workloads;

/// <summary>
/// How a workload's network output becomes its result, after resampling back to the source grid: argmax over classes
/// (segmentation) or a sigmoid and a threshold (classification), then per rule the largest connected component and
/// filled holes.
/// </summary>
/// <param name="LargestComponentOf">Per entry, a set of classes taken together: voxels of the set outside its largest
/// 6-connected component become background (a stray island far from the organ or tumour).</param>
/// <param name="FillHoles">Background enclosed by a set of classes (not connected to the volume's border) becomes a class.</param>
/// <param name="Threshold">Classification: the probability from which a finding is reported present.</param>
public sealed record Postprocessing(
    IReadOnlyList<IReadOnlyList<int>> LargestComponentOf,
    IReadOnlyList<HoleFilling> FillHoles,
    double Threshold = 0.5);

/// <param name="Of">The classes whose enclosed background is filled.</param>
/// <param name="With">The class it becomes.</param>
public sealed record HoleFilling(IReadOnlyList<int> Of, int With);
