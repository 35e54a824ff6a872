using GraphQL;
using GraphQL.Utilities;
using Cl2.Labeling.GraphQL;
using Microsoft.Extensions.DependencyInjection;

namespace Cl2.Labeling.Tests;

/// <summary>
/// The schema is a contract with training, inference and the web app: any change to it shows up as a diff of the
/// committed labeling/Cl2.Labeling/schema.graphql. After an intended change, regenerate it with
/// <c>CL2_UPDATE_SCHEMA=1 dotnet test tests/Cl2.Labeling.Tests --filter SchemaSnapshot</c> and commit the file.
/// </summary>
public sealed class SchemaSnapshotTests(LabelingApi api) : IClassFixture<LabelingApi>
{
    [Fact]
    public void the_schema_matches_the_committed_sdl()
    {
        var schema = api.Host.Services.GetRequiredService<LabelingSchema>();
        schema.Initialize();
        var actual = schema.Print(new PrintOptions { IncludeDescriptions = true, IncludeDeprecationReasons = true }).ReplaceLineEndings("\n").TrimEnd() + "\n";
        var path = Path.Combine(Repository.Root, "labeling", "Cl2.Labeling", "schema.graphql");

        if (Environment.GetEnvironmentVariable("CL2_UPDATE_SCHEMA") == "1")
        {
            File.WriteAllText(path, actual);
        }
        var committed = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "";
        if (committed != actual)
        {
            Assert.Fail($"The GraphQL schema differs from {path}:\n{Diff(committed, actual)}\n" +
                "If the change is intended, run: CL2_UPDATE_SCHEMA=1 dotnet test tests/Cl2.Labeling.Tests --filter SchemaSnapshot");
        }
    }

    /// <summary>A unified-style line diff (longest common subsequence): "-" committed only, "+" running schema only.</summary>
    private static string Diff(string committed, string actual)
    {
        var before = committed.Split('\n');
        var after = actual.Split('\n');
        var common = new int[before.Length + 1, after.Length + 1];
        for (var i = before.Length - 1; i >= 0; i--)
        {
            for (var j = after.Length - 1; j >= 0; j--)
            {
                common[i, j] = before[i] == after[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }
        var lines = new List<string>();
        int x = 0, y = 0;
        while (x < before.Length || y < after.Length)
        {
            if (x < before.Length && y < after.Length && before[x] == after[y])
            {
                x++;
                y++;
            }
            else if (y < after.Length && (x == before.Length || common[x, y + 1] >= common[x + 1, y]))
            {
                lines.Add($"+{y + 1}: {after[y++]}");
            }
            else
            {
                lines.Add($"-{x + 1}: {before[x++]}");
            }
        }
        return string.Join('\n', lines.Take(100));
    }
}
