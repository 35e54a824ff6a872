using System.Security.Cryptography;
using Cl2.Models.Checkpoints;
using Cl2.Models.Import;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Import;

/// <summary>
/// The hip fracture case: a classifier trained elsewhere, handed over as a state dict or as TorchScript with a JSON spec,
/// becomes a checkpoint that reads back and gives PyTorch's output, with the imported file's digest in its lineage.
/// </summary>
public sealed class ModelImportTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cl2-model-import-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static ImportSpec Spec(string architecture) => ImportSpec.FromJson("""
        {"architecture": ARCHITECTURE,
         "input": {"channels": [{"modality": "DX", "normalisation": {"kind": "none"}},
                                {"modality": "DX", "normalisation": {"kind": "none"}},
                                {"modality": "DX", "normalisation": {"kind": "none"}}], "spacingMm": [0.5, 0.5]},
         "output": {"kind": "classification", "labels": ["no fracture", "fracture"]},
         "codeVersion": "elsewhere-2020"}
        """.Replace("ARCHITECTURE", architecture, StringComparison.Ordinal));

    private static readonly ImportSpec DenseNetSpec = Spec("""
        {"name": "DenseNet", "hyperParameters": {"growthRate": 8, "blockConfig": [2, 2, 2, 2], "numInitFeatures": 16, "bnSize": 2, "numClasses": 2}}
        """);

    private static readonly ImportSpec TorchScriptSpec = Spec("""
        {"name": "TorchScript", "hyperParameters": {"inChannels": 3, "outChannels": 2, "spatialDims": 2}}
        """);

    [Fact]
    public async Task a_state_dict_becomes_a_checkpoint_that_gives_pytorchs_output()
    {
        var source = NetworkFixtures.PathOf("densenet_small.pt");
        var checkpoint = Path.Combine(_directory, "checkpoint");

        var written = await ModelImport.FromStateDictAsync(source, DenseNetSpec, checkpoint, CancellationToken.None);

        Assert.Equal(DigestOf(source), written.Lineage.ImportedFrom);
        Assert.Null(written.Lineage.TrainingDataDigest);
        Assert.Equal("elsewhere-2020", written.Lineage.CodeVersion);
        AssertGivesPyTorchOutput(await Checkpoint.ReadAsync(checkpoint, CancellationToken.None), "densenet_small", written);
    }

    [Fact]
    public async Task a_torchscript_archive_becomes_a_checkpoint_that_gives_pytorchs_output()
    {
        var source = NetworkFixtures.PathOf("densenet_small.traced.pt");
        var checkpoint = Path.Combine(_directory, "checkpoint");

        var written = await ModelImport.FromTorchScriptAsync(source, TorchScriptSpec, checkpoint, CancellationToken.None);

        Assert.Equal(DigestOf(source), written.Lineage.ImportedFrom);
        Assert.Equal(written.Lineage.ImportedFrom, written.WeightsDigest);
        Assert.Contains("\"name\":\"TorchScript\"", written.ToJson());
        Assert.DoesNotContain("isTorchScript", written.ToJson());
        AssertGivesPyTorchOutput(await Checkpoint.ReadAsync(checkpoint, CancellationToken.None), "densenet_small.traced", written);
    }

    [Fact]
    public async Task a_state_dict_that_does_not_fit_the_spec_writes_no_checkpoint()
    {
        var checkpoint = Path.Combine(_directory, "checkpoint");

        await Assert.ThrowsAsync<StateDictMismatchException>(() =>
            ModelImport.FromStateDictAsync(NetworkFixtures.PathOf("unet2d_small.pt"), DenseNetSpec, checkpoint, CancellationToken.None));

        Assert.False(Directory.Exists(checkpoint));
    }

    [Fact]
    public async Task a_spec_whose_labels_do_not_fit_the_network_is_refused_before_anything_is_written()
    {
        var checkpoint = Path.Combine(_directory, "checkpoint");
        var threeLabels = DenseNetSpec with { Output = new OutputSpec(OutputKind.Classification, ["none", "neck", "shaft"]) };

        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            ModelImport.FromStateDictAsync(NetworkFixtures.PathOf("densenet_small.pt"), threeLabels, checkpoint, CancellationToken.None));

        Assert.Contains("3 output labels for 2 output channels", error.Message);
        Assert.False(Directory.Exists(checkpoint));
    }

    [Fact]
    public async Task an_imported_checkpoint_exports_the_state_dict_it_was_imported_from()
    {
        var source = NetworkFixtures.PathOf("densenet_small.pt");
        var checkpoint = Path.Combine(_directory, "checkpoint");
        var exported = Path.Combine(_directory, "exported.pt");
        await ModelImport.FromStateDictAsync(source, DenseNetSpec, checkpoint, CancellationToken.None);

        await ModelImport.ExportStateDictAsync(checkpoint, exported, CancellationToken.None);

        using var scope = NewDisposeScope();
        var original = PyTorchStateDict.Read(source);
        var roundTripped = PyTorchStateDict.Read(exported);
        Assert.Equal(original.Keys.Order(StringComparer.Ordinal), roundTripped.Keys.Order(StringComparer.Ordinal));
        Assert.All(original, kv => Assert.True(kv.Value.equal(roundTripped[kv.Key]).all().item<bool>(), $"{kv.Key} changed"));
    }

    private static void AssertGivesPyTorchOutput((CheckpointManifest Manifest, TorchSharp.torch.nn.Module<Tensor, Tensor> Network) read,
        string reference, CheckpointManifest written)
    {
        using var scope = NewDisposeScope();
        var (manifest, network) = read;
        Assert.Equal(written.ToJson(), manifest.ToJson());
        network.eval();
        var io = NetworkFixtures.InputsAndOutputs(reference);
        using var noGrad = no_grad();
        NetworkAssert.Close(io["output"], network.forward(io["input"]), 1e-5);
    }

    private static string DigestOf(string path) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
