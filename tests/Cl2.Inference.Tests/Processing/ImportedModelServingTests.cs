extern alias cli;

using System.Globalization;
using System.Text.Json;
using Cl2.Dicom;
using Cl2.Dicom.Coding;
using Cl2.Inference.Tests.Forwarding;
using Cl2.Models;
using Cl2.Models.Inference;
using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;
using cli::Cl2.Training.Cli;

namespace Cl2.Inference.Tests.Processing;

/// <summary>
/// A hip-xray model trained elsewhere (exported by Debian's python3-torch), brought in with <c>./cl2 model import --register</c>,
/// promoted, and served by the running inference service like a trained one: a hip study from storescu gets an SR with the
/// model's finding, delivered to labeling's archive.
/// </summary>
public sealed class ImportedModelServingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cl2-imported-serving-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task an_imported_hip_model_registered_through_the_api_and_promoted_reports_its_finding_on_a_study_from_storescu()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var platform = new StudyForwardingTests.Platform();
        var labeling = await platform.StartLabelingAsync(postgres);
        var exported = Directory.CreateDirectory(Path.Combine(_root, "exported")).FullName;
        var fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "make_hip_import_fixtures.py");
        // The state dict only: tracing the TorchScript copy, which this test does not import, was most of its run.
        (await ProcessRunner.RunAsync("/usr/bin/python3", ["-B", fixture, exported, "hip_densenet.pt"], TimeSpan.FromMinutes(3),
            new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "2" })).EnsureSuccess("make_hip_import_fixtures.py");
        var cohortDirectory = Path.Combine(_root, "cohort");
        var cohort = SyntheticCohort.Write(WorkloadTask.HipXray, cohortDirectory, cases: 1, seed: 5, size: 64);
        var spacing = SyntheticTrainingSet.Spacing(cohortDirectory, cohort.Cases[0], WorkloadTask.HipXray).Reverse()
            .Select(mm => mm.ToString(CultureInfo.InvariantCulture));
        var model = Path.Combine(_root, "model");

        using var printed = new StringWriter();
        using var log = new StringWriter();
        var code = TrainingTool.Run(["model", "import", "--task", "hip-xray", "--state-dict", Path.Combine(exported, "hip_densenet.pt"),
            "--spacing", string.Join(',', spacing), "--out", model, "--register", "hip", "--labeling", platform.LabelingUrl, "--as", "import-test"], printed, log);
        Assert.True(code == TrainingTool.Success, $"{printed}\n{log}");
        Assert.Contains("registered version 1", printed.ToString());

        var registered = (await platform.GraphQLAsync(
                "query { models(nameContains: \"hip\") { edges { node { id version task versions { id lineage { imported importedFrom { sourceDigest } dataDigest } } } } } }"))
            .GetProperty("models").GetProperty("edges")[0].GetProperty("node");
        Assert.Equal("hip-xray", registered.GetProperty("task").GetString());
        var version = registered.GetProperty("versions")[0];
        Assert.True(version.GetProperty("lineage").GetProperty("imported").GetBoolean(), version.ToString());
        Assert.Equal(JsonValueKind.Null, version.GetProperty("lineage").GetProperty("dataDigest").ValueKind);
        var modelId = registered.GetProperty("id").GetString()!;
        var versionId = version.GetProperty("id").GetString()!;
        await platform.GraphQLAsync("mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { id } }",
            new { input = new { modelId, versionId, expectedVersion = registered.GetProperty("version").GetInt32() } });
        await platform.GraphQLAsync("mutation($input: SaveRoutingRuleInput!) { saveRoutingRule(input: $input) { version } }",
            new { input = new { name = "hip radiographs", priority = 1, workload = "hip-xray", modelName = "hip", expectedVersion = 0 } });
        var inference = await ModelServingTests.StartServingAsync(platform, ModelServingTests.ToTheArchive);
        var study = Path.Combine(cohortDirectory, cohort.Cases[0].Id);
        var images = Directory.GetFiles(study, "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        var studyUid = DicomFile.Open(images[0]).Dataset.GetString(DicomTags.StudyInstanceUID);

        await platform.StoreScuAsync(images);
        var outcome = await ModelServingTests.OutcomeAsync(platform, studyUid, inference, labeling);
        Assert.True(outcome.GetProperty("failure").ValueKind == JsonValueKind.Null, outcome.ToString());
        Assert.Equal(versionId, outcome.GetProperty("versionId").GetString());
        using var runner = await WorkloadRunner.LoadAsync(WorkloadRegistry.Get("hip-xray"), model, ComputeDevice.Select("cpu"), CancellationToken.None);
        var direct = runner.Run(study);
        var expected = ResultObjects.Write(direct, $"{studyUid}/{versionId}", "v1", DateTimeOffset.Now).Report.Dataset;
        var reportUid = expected.GetString(DicomTags.SOPInstanceUID);
        Assert.Contains(reportUid, outcome.GetProperty("resultUids").EnumerateArray().Select(uid => uid.GetString()));

        var delivered = await ModelServingTests.DeliveredAsync(platform, studyUid, expected.GetString(DicomTags.SeriesInstanceUID), reportUid,
            "the SR in labeling's archive", inference, labeling);
        var probability = Probability(DicomFile.Open(new MemoryStream(delivered)).Dataset);
        Assert.Equal(direct.Classification!.Probability, probability, 4);
    }

    /// <summary>The numeric value of the report's Probability content item (DCM 122157), wherever it sits in the content tree.</summary>
    private static double Probability(DicomDataset report)
    {
        var items = new Stack<DicomDataset>([report]);
        while (items.TryPop(out var item))
        {
            if (item.TryGetSequence(DicomTags.ConceptNameCodeSequence, out var name) && CodedConcept.FromItem(name.Items[0]).Value == CodedConcepts.Probability.Value
                && item.TryGetSequence(DicomTags.MeasuredValueSequence, out var measured))
            {
                return double.Parse(measured.Items[0].GetString(DicomTags.NumericValue), CultureInfo.InvariantCulture);
            }
            if (item.TryGetSequence(DicomTags.ContentSequence, out var children))
            {
                foreach (var child in children.Items)
                {
                    items.Push(child);
                }
            }
        }
        throw new Xunit.Sdk.XunitException("the delivered SR has no Probability content item");
    }
}
