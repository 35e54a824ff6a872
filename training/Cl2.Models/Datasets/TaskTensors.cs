using Cl2.Models.Synthetic;
using Cl2.Models.Transforms;
using static TorchSharp.torch;

namespace Cl2.Models.Datasets;

/// <summary>
/// One case's series and ground truth as the network's tensors, normalised per modality the way the task's recipe
/// says: the same for a synthetic cohort read from files and for a dataset read from the archive. Segmentation gives
/// C×D×H×W inputs with a 1×D×H×W class-index target; a radiograph 1×H×W with a one-element 0/1 target.
/// </summary>
public static class TaskTensors
{
    /// <param name="channels">The series in the recipe's channel order (brain: T1, T1c, T2, FLAIR; liver: CT), on one grid.</param>
    /// <param name="labels">One voxel value per voxel in (slice, row, column) order: BraTS values 0, 1, 2, 4 for brain
    /// MRI, 0 background / 1 liver / 2 lesion for liver CT.</param>
    public static (Tensor Input, Tensor Target) Segmentation(SyntheticTask task, IReadOnlyList<LoadedSeries> channels, byte[] labels)
    {
        using var scope = NewDisposeScope();
        var shape = new long[] { channels[0].Depth, channels[0].Height, channels[0].Width };
        var (input, classes) = task switch
        {
            SyntheticTask.BrainMri => (NormaliseIntensity.ZScoreForeground(stack(channels.Select(s => tensor(s.Values).reshape(shape)).ToList())),
                labels.Select(label => (long)BratsClass(label)).ToArray()),
            SyntheticTask.LiverCt => (NormaliseIntensity.CtWindow(tensor(channels[0].Values).reshape(shape),
                    SyntheticTrainingSet.CtWindowLow, SyntheticTrainingSet.CtWindowHigh).unsqueeze(0),
                labels.Select(label => (long)label).ToArray()),
            _ => throw new ArgumentOutOfRangeException(nameof(task), task, "not a segmentation task"),
        };
        return (input.MoveToOuterDisposeScope(), tensor(classes).reshape(shape).unsqueeze(0).MoveToOuterDisposeScope());
    }

    public static (Tensor Input, Tensor Target) Radiograph(LoadedSeries radiograph, bool fracture)
    {
        using var scope = NewDisposeScope();
        var image = NormaliseIntensity.ZScore(tensor(radiograph.Values).reshape(radiograph.Height, radiograph.Width)).unsqueeze(0);
        return (image.MoveToOuterDisposeScope(), tensor(new[] { fracture ? 1f : 0f }).MoveToOuterDisposeScope());
    }

    /// <summary>BraTS label value → class index (0 background, 1 necrotic core, 2 oedema, 3 enhancing).</summary>
    public static int BratsClass(byte label) => label switch
    {
        BrainMriPhantom.NecroticCore => 1,
        BrainMriPhantom.Oedema => 2,
        BrainMriPhantom.EnhancingTumour => 3,
        _ => 0,
    };
}
