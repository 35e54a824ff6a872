namespace Cl2.Training.Scoring;

/// <summary>Lloyd's k-means with k-means++ seeding (Arthur and Vassilvitskii 2007), seeded so the same pool gives the same clusters.</summary>
public static class KMeans
{
    public const int MaxIterations = 50;

    /// <returns>The cluster (0 to k-1) of each point; k is at most the number of points.</returns>
    public static int[] Cluster(IReadOnlyList<double[]> points, int k, int seed)
    {
        if (points.Count == 0)
        {
            return [];
        }
        k = Math.Min(k, points.Count);
        var random = new Random(seed);
        var centres = new List<double[]> { points[random.Next(points.Count)] };
        while (centres.Count < k)
        {
            var distances = points.Select(point => centres.Min(centre => Distance(point, centre))).ToArray();
            var total = distances.Sum();
            if (total == 0)
            {
                break;
            }
            var pick = random.NextDouble() * total;
            var (index, running) = (0, distances[0]);
            while (running < pick && index < points.Count - 1)
            {
                index++;
                running += distances[index];
            }
            centres.Add(points[index]);
        }
        var assignment = new int[points.Count];
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            var changed = false;
            for (var i = 0; i < points.Count; i++)
            {
                var nearest = Enumerable.Range(0, centres.Count).MinBy(c => Distance(points[i], centres[c]));
                changed |= nearest != assignment[i];
                assignment[i] = nearest;
            }
            if (!changed && iteration > 0)
            {
                break;
            }
            for (var c = 0; c < centres.Count; c++)
            {
                var members = Enumerable.Range(0, points.Count).Where(i => assignment[i] == c).Select(i => points[i]).ToList();
                if (members.Count > 0)
                {
                    centres[c] = [.. Enumerable.Range(0, members[0].Length).Select(d => members.Average(member => member[d]))];
                }
            }
        }
        return assignment;
    }

    private static double Distance(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            var difference = a[i] - b[i];
            sum += difference * difference;
        }
        return sum;
    }
}
