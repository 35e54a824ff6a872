using System.Security.Cryptography;
using Cl2.Models;
using Cl2.Models.Checkpoints;
using Cl2.Models.Inference;
using Cl2.Models.Workloads;
using Cl2.Training.Cli;
using Cl2.Training.Tests.Inference;

namespace Cl2.Training.Tests.Import;

/// <summary>
/// <c>./cl2 model import</c> with a hip-xray model that Debian's python3-torch exported (Fixtures/make_hip_import_fixtures.py,
/// run once for the class), then run by <see cref="WorkloadRunner"/> on a synthetic hip study.
/// </summary>
public sealed class ModelImportCommandTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("cl2-model-import-").FullName;

    private string Exported(string file) => Path.Combine(_root, "exported", file);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_root, "exported"));
        (await PythonTorch.RunAsync("make_hip_import_fixtures.py", [Path.Combine(_root, "exported")])).EnsureSuccess("make_hip_import_fixtures.py");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task an_imported_state_dict_records_the_files_digest_and_serves_a_hip_study()
    {
        var model = Path.Combine(_root, "state-dict-model");
        var (code, printed, log) = Import("--task", "hip-xray", "--state-dict", Exported("hip_densenet.pt"), "--spacing", "1,1", "--out", model);
        Assert.True(code == TrainingTool.Success, log);
        Assert.Contains("imported hip_densenet as a hip-xray model", printed);

        var manifest = CheckpointManifest.FromJson(await File.ReadAllTextAsync(Path.Combine(model, Checkpoint.ManifestFileName)));
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Exported("hip_densenet.pt")))), manifest.Lineage.ImportedFrom);
        Assert.Null(manifest.Lineage.TrainingDataDigest);
        Assert.Equal("imported", manifest.Lineage.CodeVersion);

        var finding = await RunOnHipStudyAsync(model);
        Assert.InRange(finding.Probability, 0, 1);
    }

    [Fact]
    public async Task the_same_model_imported_as_torchscript_gives_the_probability_its_state_dict_gives()
    {
        var stateDict = Path.Combine(_root, "state-dict-model");
        var script = Path.Combine(_root, "script-model");
        Assert.Equal(TrainingTool.Success, Import("--task", "hip-xray", "--state-dict", Exported("hip_densenet.pt"), "--spacing", "1,1", "--out", stateDict).Code);
        var (code, _, log) = Import("--task", "hip-xray", "--torchscript", Exported("hip_densenet.script.pt"), "--spacing", "1,1", "--out", script);
        Assert.True(code == TrainingTool.Success, log);

        var manifest = CheckpointManifest.FromJson(await File.ReadAllTextAsync(Path.Combine(script, Checkpoint.ManifestFileName)));
        Assert.True(manifest.Architecture.IsTorchScript);
        Assert.Equal((await RunOnHipStudyAsync(stateDict)).Probability, (await RunOnHipStudyAsync(script)).Probability, 4);
    }

    [Fact]
    public void a_state_dict_that_does_not_fit_the_network_is_refused_naming_the_keys()
    {
        var model = Path.Combine(_root, "wrong-model");
        var (code, _, log) = Import("--task", "hip-xray", "--state-dict", Exported("hip_wrong.pt"), "--spacing", "1,1", "--out", model);
        Assert.Equal(TrainingTool.Failure, code);
        Assert.Contains("30 unexpected key(s): features.denseblock5.denselayer1.conv1.weight, features.denseblock5.denselayer1.conv2.weight", log);
        Assert.Contains("features.conv0.weight is [16,3,7,7], the network needs [64,1,7,7]", log);
        Assert.False(File.Exists(Path.Combine(model, Checkpoint.ManifestFileName)));
    }

    [Fact]
    public void a_torchscript_model_that_does_not_take_one_radiograph_is_refused()
    {
        // The small torchvision DenseNet of the network fixtures: three input channels, two classes.
        var (code, _, log) = Import("--task", "hip-xray", "--torchscript", NetworkFixtures.PathOf("densenet_small.traced.pt"),
            "--spacing", "1,1", "--out", Path.Combine(_root, "rgb-model"));
        Assert.Equal(TrainingTool.Failure, code);
        Assert.Contains("the TorchScript model fails on a 1×1×64×64 input, the shape hip-xray feeds it", log);
    }

    [Fact]
    public void an_import_without_the_spacing_says_why_it_is_needed()
    {
        var (code, _, log) = Import("--task", "hip-xray", "--state-dict", Exported("hip_densenet.pt"));
        Assert.Equal(TrainingTool.BadUsage, code);
        Assert.Contains("--spacing x,y is needed: the pixel spacing in mm the model was trained at", log);
    }

    private async Task<ClassificationOutput> RunOnHipStudyAsync(string model)
    {
        var study = Path.Combine(_root, "hip-study");
        if (!Directory.Exists(study))
        {
            UntrainedRunners.Case(WorkloadTask.HipXray, study, size: 96);
        }
        using var runner = await WorkloadRunner.LoadAsync(null, model, ComputeDevice.Select("cpu"), CancellationToken.None);
        Assert.Equal("hip-xray", runner.Workload.Name);
        return Assert.IsType<ClassificationOutput>(runner.Run(study).Classification);
    }

    private static (int Code, string Output, string Error) Import(params string[] arguments)
    {
        using var printed = new StringWriter();
        using var log = new StringWriter();
        var code = TrainingTool.Run(["model", "import", .. arguments], printed, log);
        return (code, printed.ToString(), log.ToString());
    }
}
