using System.Text.Json;

namespace Cl2.Demo;

/// <summary>
/// The demo's own check of each version's lineage against what its people submitted (<see cref="SubmissionLog"/>): v1
/// names the annotators' train and validation revisions; each later version also the corrections given in the rounds
/// before it, except every fifth corrected study, which the version's evaluation names instead (the FEEDBACK set).
/// </summary>
public static class LineageCheck
{
    /// <summary>What does not match, one line per version and list; empty when every lineage is exact.</summary>
    public static IReadOnlyList<string> Mismatches(IReadOnlyList<JsonElement> versions, SubmissionLog log)
    {
        var labels = log.Labels.Where(label => label.Part != "test").Select(label => label.RevisionId).ToList();
        var mismatches = new List<string>();
        foreach (var version in versions)
        {
            var number = version.GetProperty("number").GetInt32();
            var given = log.Corrections.Where(correction => correction.Round < number).ToList();
            var trained = given.Where((_, index) => index % 5 != 4).ToList();
            var heldOut = given.Where((_, index) => index % 5 == 4).ToList();
            var lineage = version.GetProperty("lineage");
            Compare($"v{number} labelRevisionIds", [.. labels, .. trained.Select(correction => correction.RevisionId)], lineage.GetProperty("labelRevisionIds"));
            Compare($"v{number} feedbackIds", [.. trained.Select(correction => correction.FeedbackId)], lineage.GetProperty("feedbackIds"));
            if (version.GetProperty("evaluation") is { ValueKind: JsonValueKind.Object } evaluation)
            {
                Compare($"v{number} evaluation.feedbackIds", [.. heldOut.Select(correction => correction.FeedbackId)], evaluation.GetProperty("feedbackIds"));
            }
            else
            {
                mismatches.Add($"v{number} was not evaluated");
            }
        }
        return mismatches;

        void Compare(string what, List<string> expected, JsonElement actual)
        {
            var named = actual.EnumerateArray().Select(id => id.GetString()!).Order(StringComparer.Ordinal).ToList();
            expected.Sort(StringComparer.Ordinal);
            if (!named.SequenceEqual(expected))
            {
                mismatches.Add($"{what}: expected {expected.Count} ({string.Join(", ", expected.Except(named))} missing), "
                    + $"named {named.Count} ({string.Join(", ", named.Except(expected))} unexpected)");
            }
        }
    }
}
