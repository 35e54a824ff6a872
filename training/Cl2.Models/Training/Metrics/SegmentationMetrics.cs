using static TorchSharp.torch;

namespace Cl2.Models.Training.Metrics;

/// <summary>
/// Dice and HD95 per foreground class over a validation split: the prediction is the arg-max of the logits
/// (N×C×spatial), the target class indices (N×spatial or N×1×spatial). Reports <c>dice_{c}</c> and
/// <c>hd95_{c}</c> for c = 1…C−1 (means over cases), and <c>mean_dice</c>, <c>mean_hd95</c> over classes. HD95 means
/// average the finite cases only (see <see cref="HausdorffDistance"/>); <c>hd95_undefined</c> counts the others.
/// </summary>
/// <param name="spacing">Voxel spacing per spatial axis (mm); null means 1 on every axis.</param>
public sealed class SegmentationMetrics(int classes, IReadOnlyList<double>? spacing = null, bool hausdorff = true) : IValidationMetrics
{
    private readonly List<double[]> _dice = [];
    private readonly List<double[]> _hd95 = [];

    public void Reset()
    {
        _dice.Clear();
        _hd95.Clear();
    }

    public void Add(Tensor output, Tensor target)
    {
        using var scope = NewDisposeScope();
        var predicted = output.argmax(1).to(CPU).to_type(ScalarType.Int64);
        var truth = (target.dim() == output.dim() ? target.squeeze(1) : target).to(CPU).to_type(ScalarType.Int64);
        var shape = predicted.shape.Skip(1).Select(s => (int)s).ToArray();
        var voxelSpacing = spacing ?? Enumerable.Repeat(1.0, shape.Length).ToArray();
        var p = predicted.contiguous().data<long>().ToArray();
        var t = truth.contiguous().data<long>().ToArray();
        var perCase = shape.Aggregate(1, (a, s) => a * s);
        for (var n = 0; n < predicted.shape[0]; n++)
        {
            var caseP = p.AsSpan(n * perCase, perCase);
            var caseT = t.AsSpan(n * perCase, perCase);
            _dice.Add(DiceScore.PerClass(caseP, caseT, classes));
            if (hausdorff)
            {
                var distances = new double[classes];
                for (var c = 1; c < classes; c++)
                {
                    distances[c] = HausdorffDistance.Percentile95(Mask(caseP, c), Mask(caseT, c), shape, voxelSpacing);
                }
                _hd95.Add(distances);
            }
        }
    }

    public IReadOnlyDictionary<string, double> Compute()
    {
        var values = new Dictionary<string, double>();
        var classMeans = new List<double>();
        for (var c = 1; c < classes; c++)
        {
            var mean = _dice.Count == 0 ? double.NaN : _dice.Average(d => d[c]);
            values[$"dice_{c}"] = mean;
            classMeans.Add(mean);
        }
        values["mean_dice"] = classMeans.Count == 0 ? double.NaN : classMeans.Average();
        if (hausdorff)
        {
            var hdMeans = new List<double>();
            var undefined = 0;
            for (var c = 1; c < classes; c++)
            {
                var finite = _hd95.Select(d => d[c]).Where(double.IsFinite).ToList();
                undefined += _hd95.Count - finite.Count;
                var mean = finite.Count == 0 ? double.NaN : finite.Average();
                values[$"hd95_{c}"] = mean;
                hdMeans.Add(mean);
            }
            var finiteMeans = hdMeans.Where(double.IsFinite).ToList();
            values["mean_hd95"] = finiteMeans.Count == 0 ? double.NaN : finiteMeans.Average();
            values["hd95_undefined"] = undefined;
        }
        return values;
    }

    private static bool[] Mask(ReadOnlySpan<long> labels, int label)
    {
        var mask = new bool[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            mask[i] = labels[i] == label;
        }
        return mask;
    }
}
