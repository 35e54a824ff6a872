using System.Globalization;
using System.Text.Json;
using Cl2.Dicom.Coding;
using Cl2.Models;
using Cl2.Models.Inference;
using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;

namespace Cl2.EndToEnd.Serving;

/// <summary>
/// The reference platform's hip model was trained outside it and brought in for inference. Here a hip-xray DenseNet
/// exported by Debian's python3-torch, as a state dict and as TorchScript, is imported with <c>./cl2 model import
/// --register</c>, promoted, and served as a hospital runs it: Orthanc sends a hip study to CL2 and the report comes back
/// into Orthanc, with the probability the imported model gives when run directly.
/// </summary>
public sealed class ImportedModelThroughPacsTests(ServingFixture serving) : IClassFixture<ServingFixture>
{
    [Theory]
    [InlineData("--state-dict", "hip_densenet.pt", 0)]
    [InlineData("--torchscript", "hip_densenet.script.pt", 1)]
    public async Task an_imported_hip_model_reports_on_a_study_the_pacs_sends(string kind, string exportedFile, int caseIndex)
    {
        var platform = serving.Platform;
        var work = Directory.CreateDirectory(Path.Combine(serving.Work, "imported", kind.TrimStart('-'))).FullName;
        var exported = await ExportedAsync(work);
        var cohortFolder = Path.Combine(work, "cohort");
        var item = SyntheticCohort.Write(WorkloadTask.HipXray, cohortFolder, cases: 2, seed: 5, size: 64).Cases[caseIndex];
        var spacing = SyntheticTrainingSet.Spacing(cohortFolder, item, WorkloadTask.HipXray).Reverse().Select(mm => mm.ToString(CultureInfo.InvariantCulture));
        var model = Path.Combine(work, "model");
        var name = "imported-hip-" + kind.TrimStart('-');
        (await ProcessRunner.RunAsync(Repository.Script, ["model", "import", "--task", "hip-xray", kind, Path.Combine(exported, exportedFile),
            "--spacing", string.Join(',', spacing), "--out", model, "--register", name, "--labeling", platform.Launcher.LabelingUrl, "--as", "import-test"],
            TimeSpan.FromMinutes(5))).EnsureSuccess("./cl2 model import");
        var (modelId, versionId) = await ImportedVersionAsync(name);
        await platform.PromoteAsync(modelId, versionId);
        await platform.DeleteRoutingRulesAsync();
        await platform.SaveRoutingRuleAsync("imported hip", "hip-xray", name, "DX");

        var files = SmallModel.StudyFiles(cohortFolder, item);
        await platform.SendFromPacsAsync(Assert.Single(await platform.UploadToPacsAsync(files)));
        await DeliveredResults.UntilDeliveredAndRecordedAsync(platform, item.StudyInstanceUid, 1, "the report in Orthanc and the outcome", TimeSpan.FromMinutes(3));

        var outcomes = await platform.OutcomesAsync(item.StudyInstanceUid);
        Assert.Equal(1, outcomes.GetProperty("totalCount").GetInt32());
        var outcome = outcomes.GetProperty("edges")[0].GetProperty("node");
        Assert.True(outcome.GetProperty("failure").ValueKind == JsonValueKind.Null, outcome.ToString());
        Assert.Equal(versionId, outcome.GetProperty("versionId").GetString());
        var report = Assert.Single(await platform.ResultsInPacsAsync(item.StudyInstanceUid));
        Assert.Equal(("SR", item.StudyInstanceUid), (report.Modality, report.StudyInstanceUid));
        var path = DeliveredResults.Save(report, work);
        await DeliveredResults.AssertNoDciodvfyErrorsAsync(path, "EnhancedSR");
        await DeliveredResults.AssertDcmdumpReadsWithoutWarningsAsync(path);
        var probability = Assert.Single(await DeliveredResults.ReportItemsByPydicomAsync(path),
            line => line.StartsWith(CodedConcepts.Probability.Meaning + "=", StringComparison.Ordinal));
        using var runner = await WorkloadRunner.LoadAsync(WorkloadRegistry.For(WorkloadTask.HipXray), model, ComputeDevice.Select("cpu"), CancellationToken.None);
        var direct = runner.Run(files.Select(file => Cl2.Dicom.DicomFile.Open(file)).ToList());
        Assert.Equal(direct.Classification!.Probability, double.Parse(probability[(probability.IndexOf('=', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture), 4);
    }

    /// <summary>The hip DenseNet python3-torch exports (state dict and TorchScript), in <paramref name="work"/>.</summary>
    private static async Task<string> ExportedAsync(string work)
    {
        var exported = Directory.CreateDirectory(Path.Combine(work, "exported")).FullName;
        var fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "make_hip_import_fixtures.py");
        (await ProcessRunner.RunAsync("/usr/bin/python3", ["-B", fixture, exported], TimeSpan.FromMinutes(3),
            new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "2" })).EnsureSuccess("make_hip_import_fixtures.py");
        return exported;
    }

    /// <summary>The model <paramref name="name"/> and its one version, which must say it was imported and trained on no data here.</summary>
    private async Task<(string ModelId, string VersionId)> ImportedVersionAsync(string name)
    {
        var model = (await serving.Platform.GraphQLAsync(
                "query($name: String) { models(nameContains: $name) { edges { node { id name task versions { id lineage { imported dataDigest } } } } } }", new { name }))
            .GetProperty("models").GetProperty("edges").EnumerateArray().Select(edge => edge.GetProperty("node")).Single(node => node.GetProperty("name").GetString() == name);
        Assert.Equal("hip-xray", model.GetProperty("task").GetString());
        var version = Assert.Single(model.GetProperty("versions").EnumerateArray());
        Assert.True(version.GetProperty("lineage").GetProperty("imported").GetBoolean(), version.ToString());
        Assert.Equal(JsonValueKind.Null, version.GetProperty("lineage").GetProperty("dataDigest").ValueKind);
        return (model.GetProperty("id").GetString()!, version.GetProperty("id").GetString()!);
    }
}
