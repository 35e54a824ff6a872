using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;
using static TorchSharp.torch;

namespace Cl2.Models.Datasets;

/// <summary>
/// One case's series and ground truth as the network's tensors, normalised the way the workload says
/// (<see cref="Workload.Normalise"/>, which inference calls too): the same for a synthetic cohort read from files and for
/// a dataset read from the archive. Segmentation gives C×D×H×W inputs with a 1×D×H×W class-index target; a radiograph
/// 1×H×W with a one-element 0/1 target.
/// </summary>
public static class TaskTensors
{
    /// <param name="channels">The series in the workload's channel order (brain: T1, T1c, T2, FLAIR; liver: CT), on one grid.</param>
    /// <param name="labels">One voxel value per voxel in (slice, row, column) order: BraTS values 0, 1, 2, 4 for brain
    /// MRI, 0 background / 1 liver / 2 lesion for liver CT (<see cref="Workload.ClassOf"/> maps them to classes).</param>
    public static (Tensor Input, Tensor Target) Segmentation(Workload workload, IReadOnlyList<LoadedSeries> channels, byte[] labels)
    {
        if (workload.Output.Kind != Checkpoints.OutputKind.Segmentation)
        {
            throw new ArgumentException($"{workload.Name} is not a segmentation workload", nameof(workload));
        }
        using var scope = NewDisposeScope();
        var shape = new long[] { channels[0].Depth, channels[0].Height, channels[0].Width };
        var input = workload.Normalise(stack(channels.Select(s => tensor(s.Values).reshape(shape)).ToList()));
        var classes = labels.Select(label => (long)workload.ClassOf(label)).ToArray();
        return (input.MoveToOuterDisposeScope(), tensor(classes).reshape(shape).unsqueeze(0).MoveToOuterDisposeScope());
    }

    public static (Tensor Input, Tensor Target) Radiograph(Workload workload, LoadedSeries radiograph, bool fracture)
    {
        using var scope = NewDisposeScope();
        var image = workload.Normalise(tensor(radiograph.Values).reshape(1, radiograph.Height, radiograph.Width));
        return (image.MoveToOuterDisposeScope(), tensor(new[] { fracture ? 1f : 0f }).MoveToOuterDisposeScope());
    }
}
