namespace Cl2.Models.Training.Metrics;

/// <summary>Threshold-free and thresholded measures of a binary classifier's scores.</summary>
public static class ReceiverOperating
{
    /// <summary>
    /// Area under the ROC curve as the Mann–Whitney statistic: the probability that a random positive scores above a
    /// random negative, ties counting one half (mid-ranks), which equals the trapezoidal area sklearn reports.
    /// NaN when the labels hold only one class (the area is undefined).
    /// </summary>
    public static double Auc(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        RequireSameLength(scores, labels);
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double positiveRankSum = 0;
        long positives = 0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]])
            {
                end++;
            }
            // Ranks are 1-based; a run of tied scores shares the mean of its ranks.
            var midRank = (start + end + 2) / 2.0;
            for (var i = start; i <= end; i++)
            {
                if (labels[order[i]])
                {
                    positiveRankSum += midRank;
                    positives++;
                }
            }
            start = end + 1;
        }
        long negatives = scores.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>Sensitivity and specificity when a score at or above <paramref name="threshold"/> is called positive;
    /// each is NaN when the labels have no case of its class.</summary>
    public static (double Sensitivity, double Specificity) AtThreshold(IReadOnlyList<double> scores, IReadOnlyList<bool> labels,
        double threshold)
    {
        RequireSameLength(scores, labels);
        long truePositives = 0, positives = 0, trueNegatives = 0, negatives = 0;
        for (var i = 0; i < scores.Count; i++)
        {
            var calledPositive = scores[i] >= threshold;
            if (labels[i])
            {
                positives++;
                truePositives += calledPositive ? 1 : 0;
            }
            else
            {
                negatives++;
                trueNegatives += calledPositive ? 0 : 1;
            }
        }
        return (positives == 0 ? double.NaN : (double)truePositives / positives,
            negatives == 0 ? double.NaN : (double)trueNegatives / negatives);
    }

    private static void RequireSameLength(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        if (scores.Count != labels.Count)
        {
            throw new ArgumentException($"{scores.Count} scores but {labels.Count} labels.", nameof(labels));
        }
    }
}
