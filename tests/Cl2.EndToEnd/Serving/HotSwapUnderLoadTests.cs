using System.Text.Json;
using Cl2.Dicom;
using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;

namespace Cl2.EndToEnd.Serving;

/// <summary>
/// Hot swap while studies flow: 20 liver CT studies leave the PACS one after another and version 2 is promoted among
/// them. Every study must end with exactly one outcome naming one version, its SEG and SR in the PACS saying that same
/// version; versions switch once, from 1 to 2, in processing order (one model worker, so processing order is the order
/// in which versions were chosen). No wait here is a timing claim: each is a bound on a condition.
/// </summary>
public sealed class HotSwapUnderLoadTests(ServingFixture serving) : IClassFixture<ServingFixture>
{
    private const int Studies = 20;

    /// <summary>Studies sent before version 2 is promoted (the first of them is processed before it).</summary>
    private const int BeforePromotion = 8;

    /// <summary>Studies sent last, once inference has shown that it serves version 2 (an outcome names it), or, should
    /// every study before them have been routed before the promotion reached it, once <see cref="ServingPollInterval"/>
    /// has passed since the promotion (inference then reads the production version again even without the
    /// modelPromoted subscription): they must be version 2's.</summary>
    private const int AfterPropagation = 2;

    /// <summary>Inference:Serving:PollInterval's default, which the fixture keeps.</summary>
    private static readonly TimeSpan ServingPollInterval = TimeSpan.FromSeconds(30);

    /// <summary>Generous: the studies are processed one after another, and on a machine shared with other builds one has
    /// taken a minute.</summary>
    private static readonly TimeSpan AllDelivered = TimeSpan.FromMinutes(25);

    [Fact]
    public async Task twenty_studies_each_name_the_one_version_that_made_their_objects_across_a_promotion()
    {
        var platform = serving.Platform;
        var cohort = Path.Combine(serving.Work, "hot-swap");
        var cases = SyntheticCohort.Write(WorkloadTask.LiverCt, cohort, Studies, seed: 3, size: 16).Cases;
        var modelId = await platform.RegisterModelAsync("liver", "liver-ct");
        var first = await platform.RegisterVersionAsync(modelId, SmallModel.Untrained(WorkloadTask.LiverCt, cohort, Path.Combine(serving.Work, "v1"), seed: 1), new Dictionary<string, double>());
        var second = await platform.RegisterVersionAsync(modelId, SmallModel.Untrained(WorkloadTask.LiverCt, cohort, Path.Combine(serving.Work, "v2"), seed: 2), new Dictionary<string, double>());
        await platform.PromoteAsync(modelId, first);
        await platform.SaveRoutingRuleAsync("liver CT", "liver-ct", "liver", "CT");
        var inPacs = new List<string>();
        foreach (var item in cases)
        {
            inPacs.Add(Assert.Single(await platform.UploadToPacsAsync(SmallModel.StudyFiles(cohort, item))));
        }

        for (var i = 0; i < BeforePromotion; i++)
        {
            await platform.SendFromPacsAsync(inPacs[i]);
        }
        await platform.UntilAsync(async () => (await platform.OutcomesAsync(cases[0].StudyInstanceUid)).GetProperty("totalCount").GetInt32() > 0,
            "the first study's outcome", TimeSpan.FromMinutes(4));
        var promotedFrom = DateTimeOffset.UtcNow;
        await platform.PromoteAsync(modelId, second);
        for (var i = BeforePromotion; i < Studies - AfterPropagation; i++)
        {
            await platform.SendFromPacsAsync(inPacs[i]);
        }
        await platform.UntilAsync(async () =>
        {
            if (DateTimeOffset.UtcNow - promotedFrom > ServingPollInterval)
            {
                return true;
            }
            foreach (var item in cases.Take(Studies - AfterPropagation))
            {
                var outcomes = await platform.OutcomesAsync(item.StudyInstanceUid);
                if (outcomes.GetProperty("edges").EnumerateArray().Any(edge => edge.GetProperty("node").GetProperty("versionId").GetString() == second))
                {
                    return true;
                }
            }
            return false;
        }, "an outcome naming version 2, or the serving poll interval since the promotion", ServingPollInterval + TimeSpan.FromMinutes(1), pollMilliseconds: 500);
        for (var i = Studies - AfterPropagation; i < Studies; i++)
        {
            await platform.SendFromPacsAsync(inPacs[i]);
        }
        await platform.UntilAsync(async () =>
        {
            foreach (var item in cases)
            {
                // The objects reach the outbox, so Orthanc, before the outcome is recorded: wait for both.
                if ((await platform.ResultIdsInPacsAsync(item.StudyInstanceUid)).Count < 2
                    || (await platform.OutcomesAsync(item.StudyInstanceUid)).GetProperty("totalCount").GetInt32() == 0)
                {
                    return false;
                }
            }
            return true;
        }, "every study's SEG and SR in Orthanc and its outcome", AllDelivered, pollMilliseconds: 500);

        var named = new List<(DateTimeOffset CompletedAt, int Version, string Study)>();
        foreach (var item in cases)
        {
            var outcomes = await platform.OutcomesAsync(item.StudyInstanceUid);
            Assert.True(outcomes.GetProperty("totalCount").GetInt32() == 1, $"study {item.Id}: {outcomes}");
            var outcome = outcomes.GetProperty("edges")[0].GetProperty("node");
            Assert.True(outcome.GetProperty("failure").ValueKind == JsonValueKind.Null, outcome.ToString());
            var version = outcome.GetProperty("modelVersion").GetProperty("number").GetInt32();
            Assert.Equal(version == 1 ? first : second, outcome.GetProperty("versionId").GetString());
            var results = await platform.ResultsInPacsAsync(item.StudyInstanceUid);
            Assert.Equal(outcome.GetProperty("resultUids").EnumerateArray().Select(uid => uid.GetString()!).Order(), results.Select(result => result.SopInstanceUid).Order());
            Assert.Equal(new[] { "SEG", "SR" }, results.Select(result => result.Modality).Order());
            Assert.All(results, result => Assert.Equal(version, DeliveredResults.VersionNamed(DicomFile.Open(new MemoryStream(result.Bytes)).Dataset)));
            named.Add((outcome.GetProperty("completedAt").GetDateTimeOffset(), version, item.Id));
        }

        var inOrder = named.OrderBy(outcome => outcome.CompletedAt).ToList();
        var sequence = string.Join(" ", inOrder.Select(outcome => $"{outcome.Study}:v{outcome.Version}"));
        Assert.True(inOrder.Zip(inOrder.Skip(1)).All(pair => pair.First.Version <= pair.Second.Version), $"versions went back in processing order: {sequence}");
        Assert.True(inOrder.Where(outcome => outcome.CompletedAt < promotedFrom).All(outcome => outcome.Version == 1), $"promoted at {promotedFrom:O}: {sequence}");
        Assert.True(inOrder[0].Version == 1, sequence);
        Assert.True(named.TakeLast(AfterPropagation).All(outcome => outcome.Version == 2), sequence);
    }
}
