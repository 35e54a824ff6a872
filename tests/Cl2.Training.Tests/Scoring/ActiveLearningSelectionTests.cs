using Cl2.Models.Networks;
using Cl2.Training.Scoring;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Scoring;

/// <summary>
/// The uncertainty scores pick the hard cases of a pool far more often than random picks do. The first fifth of the pool
/// an annotator would be handed (20 of 100, a fifth of which are hard) is compared: random picks are hard at the pool's
/// rate; the rates found are printed.
/// </summary>
public sealed class ActiveLearningSelectionTests(HardCasePool pool, ITestOutputHelper output) : IClassFixture<HardCasePool>
{
    private const int Picks = 20;

    private IReadOnlyList<int> MostUncertain(IScoringMethod method) =>
        [.. Enumerable.Range(0, pool.Images.Count)
            .Select(index => (Index: index, Score: method.Score(pool.Network, pool.Network.forward, pool.Images[index])))
            .OrderByDescending(entry => entry.Score).Take(Picks).Select(entry => entry.Index)];

    private double RandomRate()
    {
        var generator = new Random(5);
        return Enumerable.Range(0, 200).Average(_ =>
        {
            var order = Enumerable.Range(0, pool.Images.Count).ToArray();
            generator.Shuffle(order);
            return pool.HardRate(order.Take(Picks));
        });
    }

    [Fact]
    public void entropy_scores_pick_hard_cases_far_more_often_than_random_picks()
    {
        var entropy = pool.HardRate(MostUncertain(new EntropyScoring()));
        var random = RandomRate();

        output.WriteLine($"hard cases among the first {Picks} picks: entropy {entropy:F2}, random {random:F2}");
        Assert.True(entropy >= 2.5 * random, $"entropy picked hard cases at {entropy:F2}, random at {random:F2}");
    }

    [Fact]
    public void mc_dropout_scores_pick_hard_cases_far_more_often_than_random_picks()
    {
        var mcDropout = pool.HardRate(MostUncertain(new McDropoutScoring(Options.Create(new ScoringJobOptions { McDropoutPasses = 8 }))));
        var random = RandomRate();

        output.WriteLine($"hard cases among the first {Picks} picks: mc-dropout {mcDropout:F2}, random {random:F2}");
        Assert.True(mcDropout >= 2.5 * random, $"mc-dropout picked hard cases at {mcDropout:F2}, random at {random:F2}");
    }

    [Fact]
    public void mc_dropout_leaves_the_networks_dropout_off_after_scoring()
    {
        new McDropoutScoring(Options.Create(new ScoringJobOptions())).Score(pool.Network, pool.Network.forward, pool.Images[0]);

        Assert.All(pool.Network.modules(), module => Assert.False(module.training));
    }

    [Fact]
    public void mc_dropout_refuses_a_network_without_dropout_and_says_to_choose_entropy()
    {
        using var scope = NewDisposeScope();
        using var network = new UNet(new UNetOptions { SpatialDims = 2, Channels = [4, 8], Strides = [2], NumResUnits = 1 });

        var refused = Assert.Throws<InvalidOperationException>(() =>
            new McDropoutScoring(Options.Create(new ScoringJobOptions())).Score(network, network.forward, pool.Images[0]));

        Assert.Contains("entropy", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void k_means_puts_two_groups_of_points_far_apart_in_two_clusters()
    {
        var generator = new Random(3);
        var points = Enumerable.Range(0, 40).Select(index => new[] { (index < 20 ? 0 : 10) + generator.NextDouble(), generator.NextDouble() }).ToList();

        var clusters = KMeans.Cluster(points, 2, seed: 3);

        Assert.Single(clusters.Take(20).Distinct());
        Assert.Single(clusters.Skip(20).Distinct());
        Assert.NotEqual(clusters[0], clusters[20]);
    }

    [Fact]
    public void an_image_embedding_averages_each_channel_over_a_coarse_grid()
    {
        using var scope = NewDisposeScope();
        var image = cat([ones(1, 1, 8, 8), zeros(1, 1, 8, 8)], 1);

        var embedding = ImageEmbedding.Of(image);

        double[] expected = [.. Enumerable.Repeat(1.0, ImageEmbedding.Cells * ImageEmbedding.Cells), .. Enumerable.Repeat(0.0, ImageEmbedding.Cells * ImageEmbedding.Cells)];
        Assert.Equal(expected, embedding);
    }
}
