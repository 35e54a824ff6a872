using Cl2.Models.Datasets;
using Cl2.Models.Transforms;
using static TorchSharp.torch;

namespace Cl2.Models.Training;

/// <summary>
/// Validation cases from the <see cref="CaseCache"/>, whole: a segmentation volume as it was prepared (the trainer
/// runs a sliding window over it, one case per batch, see <see cref="TrainerOptions.ValidationWindow"/>); an image
/// resized to <c>shape</c> when one is given (classification: cases stack into one batch).
/// </summary>
public sealed class WholeVolumeData(CaseCache cache, IReadOnlyList<CaseSource> cases, IReadOnlyList<long>? shape) : ITrainingData
{
    public int Count => cases.Count;

    public (Tensor Input, Tensor Target) GetBatch(IReadOnlyList<int> indices)
    {
        var inputs = new List<Tensor>();
        var targets = new List<Tensor>();
        foreach (var index in indices)
        {
            var item = cache.Get(cases[index].Key, cases[index].Prepare);
            inputs.Add(shape is null ? item.Image : Resample.ToSize(item.Image, shape, labels: false));
            targets.Add(shape is null || item.Target.dim() == 1 ? item.Target : Resample.ToSize(item.Target, shape, labels: true));
        }
        return (stack(inputs), stack(targets));
    }
}
