using System.Globalization;
using System.Text.Json;

namespace Cl2.Demo;

/// <summary>What the demo prints at the end: one row per version, the stages' times, the GraphQL query that proves each
/// version's lineage with labeling's answer, and where to see the same in the web app.</summary>
public static class DemoReport
{
    public const string LineageQuery = """
        query($model: ID!) {
          model(id: $model) {
            name
            versions {
              number stage
              lineage { baseVersion { number } dataCut labelRevisionIds feedbackIds }
              evaluation { gateFailure sets { split metric caseCount candidate production } }
            }
          }
        }
        """;

    public static void WriteTable(TextWriter output, IReadOnlyList<JsonElement> versions)
    {
        output.WriteLine();
        output.WriteLine($"{"version",-8} {"trained on",-36} {"held-out metric (test split)",-30} gate");
        foreach (var version in versions)
        {
            var lineage = version.GetProperty("lineage");
            var corrections = lineage.GetProperty("feedbackIds").GetArrayLength();
            var labels = lineage.GetProperty("labelRevisionIds").GetArrayLength() - corrections;
            var test = version.GetProperty("evaluation") is { ValueKind: JsonValueKind.Object } evaluation
                ? evaluation.GetProperty("sets").EnumerateArray().FirstOrDefault(set => set.GetProperty("split").GetString() == "TEST")
                : default;
            var metric = test.ValueKind == JsonValueKind.Object
                ? string.Create(CultureInfo.InvariantCulture, $"{test.GetProperty("metric").GetString()} {test.GetProperty("candidate").GetDouble():F4}")
                : "-";
            var trained = $"{labels} annotator labels, {corrections} corrections";
            output.WriteLine($"v{version.GetProperty("number").GetInt32(),-7} {trained,-36} {metric,-30} {ClosedLoopDemo.Decision(version)}");
        }
    }

    /// <summary>The platform's start, then each workload's stages with its own total, then the run's total.</summary>
    public static void WriteStages(TextWriter output, TimeSpan platformStart, IEnumerable<(string Workload, IReadOnlyList<(string Stage, TimeSpan Took)> Stages)> workloads,
        TimeSpan total)
    {
        output.WriteLine();
        output.WriteLine("Stages:");
        Line("platform start", platformStart);
        foreach (var (workload, stages) in workloads)
        {
            output.WriteLine($"  {workload}:");
            foreach (var (stage, took) in stages)
            {
                Line($"  {stage}", took);
            }
            Line($"  {workload} in all", stages.Aggregate(TimeSpan.Zero, (sum, stage) => sum + stage.Took));
        }
        Line("total (platform start included)", total);

        void Line(string stage, TimeSpan took) => output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {stage,-52} {took.TotalSeconds,6:F1} s"));
    }

    public static async Task WriteLineageAsync(TextWriter output, Person engineer, string modelId, CancellationToken cancellationToken)
    {
        output.WriteLine();
        output.WriteLine($"The lineage, as labeling answers it (POST /graphql, variables {{ \"model\": \"{modelId}\" }}):");
        output.WriteLine(LineageQuery);
        var answer = await engineer.GraphQLAsync(LineageQuery, new { model = modelId }, cancellationToken).ConfigureAwait(false);
        output.WriteLine(JsonSerializer.Serialize(answer, SubmissionLog.Json));
    }
}
