using System.Text.Json;

namespace Cl2.EndToEnd.Demo;

/// <summary>
/// The acceptance for <c>./cl2 demo --quick</c>, checked on one run of it (<see cref="QuickDemoRun"/>): it exits
/// 0, the last version beats v1 on the held-out test split, and every version's lineage, read back through GraphQL, names
/// exactly the label revisions and corrections the simulated people had submitted when its job was requested.
/// </summary>
public sealed class QuickDemoTests(QuickDemoRun demo) : IClassFixture<QuickDemoRun>
{
    [Fact]
    public void the_quick_demo_exits_with_0() =>
        Assert.True(demo.ExitCode == 0, $"./cl2 demo --quick exited {demo.ExitCode}:\n{demo.Output}");

    [Fact]
    public void the_last_versions_held_out_metric_is_strictly_above_v1s()
    {
        Assert.True(demo.Versions.Count >= 2, $"the demo registered {demo.Versions.Count} version(s):\n{demo.Output}");
        var (first, last) = (TestMetric(demo.Versions[0]), TestMetric(demo.Versions[^1]));
        Assert.True(last > first, $"v1 {first:F4}, v{demo.Versions.Count} {last:F4} on the test split:\n{demo.Output}");
    }

    /// <summary>v1 trained on the annotators' train and validation labels; each later version also on the corrections
    /// given before its job was requested (the rounds before it), except every fifth, which its evaluation holds out.</summary>
    [Fact]
    public void each_versions_lineage_names_exactly_the_label_revisions_and_feedback_submitted_before_its_job()
    {
        Assert.True(demo.Versions.Count == 3, $"the quick demo makes v1, v2 and v3; it made {demo.Versions.Count}:\n{demo.Output}");
        var labels = demo.Record.GetProperty("labels").EnumerateArray()
            .Where(label => label.GetProperty("part").GetString() != "test").Select(label => label.GetProperty("revisionId").GetString()!).ToList();
        var corrections = demo.Record.GetProperty("corrections").EnumerateArray().ToList();
        foreach (var version in demo.Versions)
        {
            var number = version.GetProperty("number").GetInt32();
            var given = corrections.Where(correction => correction.GetProperty("round").GetInt32() < number).ToList();
            var trained = given.Where((_, index) => index % 5 != 4).ToList();
            var heldOut = given.Where((_, index) => index % 5 == 4).ToList();
            var lineage = version.GetProperty("lineage");
            Assert.Equal(labels.Concat(trained.Select(correction => correction.GetProperty("revisionId").GetString()!)).Order(), Ids(lineage.GetProperty("labelRevisionIds")));
            Assert.Equal(trained.Select(correction => correction.GetProperty("feedbackId").GetString()!).Order(), Ids(lineage.GetProperty("feedbackIds")));
            Assert.Equal(heldOut.Select(correction => correction.GetProperty("feedbackId").GetString()!).Order(),
                Ids(version.GetProperty("evaluation").GetProperty("feedbackIds")));
        }
    }

    private static double TestMetric(JsonElement version) =>
        version.GetProperty("evaluation").GetProperty("sets").EnumerateArray().Single(set => set.GetProperty("split").GetString() == "TEST")
            .GetProperty("candidate").GetDouble();

    private static List<string> Ids(JsonElement array) => [.. array.EnumerateArray().Select(id => id.GetString()!).Order()];
}
