using Cl2.Models.Training.Metrics;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Training;

public sealed class MetricTests
{
    [Fact]
    public void dice_per_class_is_twice_the_overlap_over_the_sizes()
    {
        long[] prediction = [0, 1, 1, 1, 2, 0];
        long[] truth = [0, 1, 1, 0, 0, 0];
        var dice = DiceScore.PerClass(prediction, truth, classes: 4);
        Assert.Equal(2.0 * 2 / (2 + 4), dice[0], 12);
        Assert.Equal(2.0 * 2 / (3 + 2), dice[1], 12);
        Assert.Equal(0, dice[2]);
        Assert.Equal(1, dice[3]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void two_cubes_offset_by_k_voxels_along_an_axis_are_k_times_its_spacing_apart(int k)
    {
        int[] shape = [12, 12, 12];
        double[] spacing = [2.5, 0.8, 1.1];
        var truth = Cube(shape, (3, 4, 4), 4);
        var prediction = Cube(shape, (3 + k, 4, 4), 4);
        Assert.Equal(k * 2.5, HausdorffDistance.Percentile95(prediction, truth, shape, spacing), 9);
        Assert.Equal(k * 2.5, HausdorffDistance.Percentile95(truth, prediction, shape, spacing), 9);
        Assert.Equal(k * 0.8, HausdorffDistance.Percentile95(Cube(shape, (3, 4 + k, 4), 4), truth, shape, spacing), 9);
    }

    [Fact]
    public void hd95_ignores_one_stray_voxel_that_the_full_hausdorff_distance_sees()
    {
        int[] shape = [12, 12, 12];
        double[] spacing = [1, 1, 1];
        var truth = Cube(shape, (1, 1, 1), 4);
        var prediction = Cube(shape, (1, 1, 1), 4);
        prediction[Index(shape, 10, 10, 10)] = true;
        // 57 prediction surface voxels: 56 at distance 0 and one at √(6²·3); the 95th percentile lies among the zeros.
        Assert.Equal(0, HausdorffDistance.Percentile95(prediction, truth, shape, spacing), 9);
        Assert.Equal(Math.Sqrt(3 * 36), HausdorffDistance.Percentile(prediction, truth, shape, spacing, 100), 9);
    }

    [Fact]
    public void hd95_of_empty_masks_is_zero_when_both_are_empty_and_infinite_when_one_is()
    {
        int[] shape = [6, 6];
        double[] spacing = [1, 1];
        var empty = new bool[36];
        var square = new bool[36];
        square[Index2(shape, 2, 2)] = square[Index2(shape, 2, 3)] = true;
        Assert.Equal(0, HausdorffDistance.Percentile95(empty, empty, shape, spacing));
        Assert.Equal(double.PositiveInfinity, HausdorffDistance.Percentile95(square, empty, shape, spacing));
        Assert.Equal(double.PositiveInfinity, HausdorffDistance.Percentile95(empty, square, shape, spacing));
    }

    [Fact]
    public void hd95_with_anisotropic_spacing_equals_a_brute_force_search_over_surface_voxels()
    {
        int[] shape = [13, 9, 7];
        double[] spacing = [0.7, 1.9, 3.1];
        var generator = new Random(5);
        for (var trial = 0; trial < 5; trial++)
        {
            var a = Blob(shape, generator);
            var b = Blob(shape, generator);
            Assert.Equal(BruteForce(a, b, shape, spacing, 95), HausdorffDistance.Percentile95(a, b, shape, spacing), 9);
        }
    }

    [Fact]
    public void auc_of_a_known_ranking_is_the_fraction_of_correctly_ordered_pairs()
    {
        // sklearn's roc_auc_score example: 0.75.
        Assert.Equal(0.75, ReceiverOperating.Auc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]), 12);
        Assert.Equal(1, ReceiverOperating.Auc([0.1, 0.2, 0.3], [false, true, true]), 12);
        Assert.Equal(0, ReceiverOperating.Auc([0.9, 0.2, 0.3], [false, true, true]), 12);
    }

    [Fact]
    public void auc_counts_a_tied_positive_and_negative_as_half_a_correct_pair()
    {
        // Pairs (pos, neg): (0.5, 0.2) 1, (0.5, 0.5) ½, (0.9, 0.2) 1, (0.9, 0.5) 1 → 3.5 / 4.
        Assert.Equal(0.875, ReceiverOperating.Auc([0.2, 0.5, 0.5, 0.9], [false, false, true, true]), 12);
        Assert.Equal(0.5, ReceiverOperating.Auc([0.3, 0.3, 0.3, 0.3], [false, true, false, true]), 12);
    }

    [Fact]
    public void auc_is_undefined_without_both_classes()
    {
        Assert.True(double.IsNaN(ReceiverOperating.Auc([0.1, 0.7], [true, true])));
    }

    [Fact]
    public void sensitivity_and_specificity_call_a_score_at_the_threshold_positive()
    {
        double[] scores = [0.9, 0.5, 0.2, 0.6, 0.1, 0.4];
        bool[] labels = [true, true, true, false, false, false];
        var (sensitivity, specificity) = ReceiverOperating.AtThreshold(scores, labels, 0.5);
        Assert.Equal(2.0 / 3, sensitivity, 12);
        Assert.Equal(2.0 / 3, specificity, 12);
    }

    [Fact]
    public void segmentation_metrics_take_the_arg_max_and_report_foreground_classes()
    {
        using var scope = NewDisposeScope();
        // One 1×4 image, three classes: logits favour 0, 1, 1, 2; the truth is 0, 1, 2, 2.
        var logits = tensor(new float[]
        {
            5, 0, 0, 0,
            0, 5, 5, 0,
            0, 0, 0, 5,
        }).reshape(1, 3, 1, 4);
        var truth = tensor(new long[] { 0, 1, 2, 2 }).reshape(1, 1, 1, 4);
        var metrics = new SegmentationMetrics(classes: 3, spacing: [1, 2]);
        metrics.Add(logits, truth);
        var values = metrics.Compute();
        Assert.Equal(2.0 / 3, values["dice_1"], 12);
        Assert.Equal(2.0 / 3, values["dice_2"], 12);
        Assert.Equal(2.0 / 3, values["mean_dice"], 12);
        // Class 1: predicted x=1,2 vs true x=1 → the voxel at x=2 is 2 mm off; HD95 interpolates 0.95 of the way to it.
        Assert.Equal(0.95 * 2, values["hd95_1"], 9);
        Assert.Equal(0, values["hd95_undefined"]);
    }

    [Fact]
    public void classification_metrics_score_the_sigmoid_of_the_logits()
    {
        using var scope = NewDisposeScope();
        var metrics = new ClassificationMetrics();
        metrics.Add(tensor(new float[] { 2, -1, 0.5f }).reshape(3, 1), tensor(new long[] { 1, 0, 0 }));
        metrics.Add(tensor(new float[] { -3 }).reshape(1, 1), tensor(new long[] { 1 }));
        var values = metrics.Compute();
        Assert.Equal(0.5, values["auc"], 12);
        Assert.Equal(0.5, values["sensitivity"], 12);
        Assert.Equal(0.5, values["specificity"], 12);
        Assert.Equal(0.5, values["accuracy"], 12);
    }

    private static bool[] Cube(int[] shape, (int X, int Y, int Z) corner, int size)
    {
        var mask = new bool[shape[0] * shape[1] * shape[2]];
        for (var x = corner.X; x < corner.X + size; x++)
        {
            for (var y = corner.Y; y < corner.Y + size; y++)
            {
                for (var z = corner.Z; z < corner.Z + size; z++)
                {
                    mask[Index(shape, x, y, z)] = true;
                }
            }
        }
        return mask;
    }

    private static bool[] Blob(int[] shape, Random generator)
    {
        var mask = new bool[shape.Aggregate(1, (a, s) => a * s)];
        for (var i = 0; i < mask.Length; i++)
        {
            mask[i] = generator.NextDouble() < 0.3;
        }
        return mask;
    }

    private static int Index(int[] shape, int x, int y, int z) => (x * shape[1] + y) * shape[2] + z;

    private static int Index2(int[] shape, int x, int y) => x * shape[1] + y;

    /// <summary>All pairs of surface voxels, with the surface found by looking at each voxel's six neighbours.</summary>
    private static double BruteForce(bool[] a, bool[] b, int[] shape, double[] spacing, double percentile)
    {
        List<(int X, int Y, int Z)> Surface(bool[] mask)
        {
            var points = new List<(int, int, int)>();
            bool Inside(int x, int y, int z) => x >= 0 && y >= 0 && z >= 0 && x < shape[0] && y < shape[1] && z < shape[2] && mask[Index(shape, x, y, z)];
            for (var x = 0; x < shape[0]; x++)
            {
                for (var y = 0; y < shape[1]; y++)
                {
                    for (var z = 0; z < shape[2]; z++)
                    {
                        if (Inside(x, y, z) && !(Inside(x - 1, y, z) && Inside(x + 1, y, z) && Inside(x, y - 1, z)
                            && Inside(x, y + 1, z) && Inside(x, y, z - 1) && Inside(x, y, z + 1)))
                        {
                            points.Add((x, y, z));
                        }
                    }
                }
            }
            return points;
        }
        double Directed(List<(int X, int Y, int Z)> from, List<(int X, int Y, int Z)> to)
        {
            var distances = from.Select(p => to.Min(q => Math.Sqrt(
                Math.Pow((p.X - q.X) * spacing[0], 2) + Math.Pow((p.Y - q.Y) * spacing[1], 2) + Math.Pow((p.Z - q.Z) * spacing[2], 2))))
                .Order().ToArray();
            var rank = percentile / 100 * (distances.Length - 1);
            var below = (int)Math.Floor(rank);
            var above = Math.Min(below + 1, distances.Length - 1);
            return distances[below] + (rank - below) * (distances[above] - distances[below]);
        }
        var sa = Surface(a);
        var sb = Surface(b);
        return Math.Max(Directed(sa, sb), Directed(sb, sa));
    }
}
