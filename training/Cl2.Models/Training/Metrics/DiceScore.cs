namespace Cl2.Models.Training.Metrics;

/// <summary>
/// The Dice coefficient per class of one label map, <c>2·|P∩T| / (|P| + |T|)</c>. A class absent from both the
/// prediction and the ground truth scores 1 (they agree), absent from one only 0, as MONAI's
/// <c>DiceMetric(ignore_empty=False)</c>: a false positive on an empty case is then penalised, not skipped.
/// </summary>
public static class DiceScore
{
    /// <param name="prediction">Predicted class index per voxel.</param>
    /// <param name="truth">Ground-truth class index per voxel, same length.</param>
    /// <param name="classes">Number of classes; the result has one entry per class, background (0) included.</param>
    public static double[] PerClass(ReadOnlySpan<long> prediction, ReadOnlySpan<long> truth, int classes)
    {
        if (prediction.Length != truth.Length)
        {
            throw new ArgumentException($"Prediction has {prediction.Length} voxels, ground truth {truth.Length}.", nameof(truth));
        }
        var predicted = new long[classes];
        var actual = new long[classes];
        var both = new long[classes];
        for (var i = 0; i < prediction.Length; i++)
        {
            var p = prediction[i];
            var t = truth[i];
            if ((ulong)p < (ulong)classes)
            {
                predicted[p]++;
            }
            if ((ulong)t < (ulong)classes)
            {
                actual[t]++;
                if (p == t)
                {
                    both[t]++;
                }
            }
        }
        var dice = new double[classes];
        for (var c = 0; c < classes; c++)
        {
            var sum = predicted[c] + actual[c];
            dice[c] = sum == 0 ? 1.0 : 2.0 * both[c] / sum;
        }
        return dice;
    }
}
