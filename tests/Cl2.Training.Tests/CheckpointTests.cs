using Cl2.Models.Checkpoints;
using Cl2.Models.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Training.Tests;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"cl2-checkpoint-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static SegResNetOptions SmallBrain => new() { InChannels = 4, OutChannels = 3, BlocksDown = [1, 1, 1], BlocksUp = [1, 1] };

    private static CheckpointManifest BrainManifest(ArchitectureSpec architecture, string? baseVersion = null) => new(
        architecture,
        new InputSpec(
            [.. new[] { "T1", "T1c", "T2", "FLAIR" }.Select(m => new InputChannel(m, new IntensityNormalisation(IntensityNormalisationKind.ZScoreNonZero)))],
            [1.0, 1.0, 1.0]),
        new OutputSpec(OutputKind.Segmentation, ["tumour core", "whole tumour", "enhancing tumour"]),
        new TrainingLineage("sha256:" + new string('a', 64), baseVersion, "0123abc"),
        WeightsDigest: "");

    private static CheckpointManifest LiverManifest(UNetOptions options) => new(
        ArchitectureSpec.Of(options),
        new InputSpec([new InputChannel("CT", new IntensityNormalisation(IntensityNormalisationKind.ClipAndScale, -57, 164))], [1.5, 1.5, 2.0]),
        new OutputSpec(OutputKind.Segmentation, ["background", "liver"]),
        new TrainingLineage(null, null, "0123abc"),
        WeightsDigest: "");

    [Fact]
    public void a_manifest_reads_back_from_json_with_every_field_intact()
    {
        var brain = BrainManifest(ArchitectureSpec.Of(new SegResNetVaeOptions { Network = SmallBrain, InputImageSize = [16, 16, 16], VaeEstimateStd = true }));
        var liver = LiverManifest(new UNetOptions { Norm = NormKind.Batch });

        foreach (var manifest in new[] { brain, liver })
        {
            var json = manifest.ToJson();
            var read = CheckpointManifest.FromJson(json);

            Assert.Equal(json, read.ToJson());
            Assert.Equal(manifest.ContentAddress(), read.ContentAddress());
            Assert.Equal(manifest.Input.Channels, read.Input.Channels);
            Assert.Equal(manifest.Input.SpacingMm, read.Input.SpacingMm);
            Assert.Equal(manifest.Output.Labels, read.Output.Labels);
            Assert.Equal(manifest.Lineage, read.Lineage);
            Assert.Equal(manifest.Architecture.Name, read.Architecture.Name);
        }
        var liverJson = liver.ToJson();
        Assert.Contains("\"kind\":\"clipAndScale\",\"lower\":-57,\"upper\":164", liverJson, StringComparison.Ordinal);
        Assert.Contains("\"norm\":\"batch\"", liverJson, StringComparison.Ordinal);
        Assert.Contains("\"vaeEstimateStd\":true", brain.ToJson(), StringComparison.Ordinal);
        Assert.DoesNotContain("latentGrid", brain.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void a_manifest_that_does_not_fit_its_network_is_refused()
    {
        var manifest = LiverManifest(new UNetOptions { OutChannels = 3 }) with { Input = new InputSpec([], [1.0, 1.0]) };

        var error = Assert.Throws<InvalidDataException>(manifest.Validate);
        Assert.Equal(
            "The manifest does not fit its UNet: 0 input modalities for 1 input channels; 2 output labels for 3 output channels; 2 spacings for a 3-D network.",
            error.Message);
        Assert.Throws<InvalidDataException>(() => CheckpointManifest.FromJson(manifest.ToJson()));
    }

    [Fact]
    public void the_content_address_is_the_sha256_of_the_manifest_and_changes_with_anything_it_records()
    {
        var manifest = BrainManifest(ArchitectureSpec.Of(SmallBrain)) with { WeightsDigest = "sha256:" + new string('0', 64) };
        var address = manifest.ContentAddress();

        Assert.Matches("^sha256:[0-9a-f]{64}$", address);
        Assert.Equal(address, CheckpointManifest.FromJson(manifest.ToJson()).ContentAddress());
        Assert.NotEqual(address, (manifest with { WeightsDigest = "sha256:" + new string('1', 64) }).ContentAddress());
        Assert.NotEqual(address, (manifest with { Lineage = manifest.Lineage with { BaseVersion = address } }).ContentAddress());
        Assert.NotEqual(address, BrainManifest(ArchitectureSpec.Of(SmallBrain with { InitFilters = 16 })).ContentAddress());
    }

    [Fact]
    public async Task a_checkpoint_read_back_rebuilds_the_network_from_its_manifest_with_identical_outputs()
    {
        using var scope = NewDisposeScope();
        var network = new SegResNet(SmallBrain);
        network.eval();
        var input = randn([1, 4, 16, 16, 16]);

        var written = await Checkpoint.WriteAsync(network, BrainManifest(ArchitectureSpec.Of(SmallBrain)), _directory, CancellationToken.None);
        var (manifest, restored) = await Checkpoint.ReadAsync(_directory, CancellationToken.None);
        restored.eval();

        Assert.Matches("^sha256:[0-9a-f]{64}$", written.WeightsDigest);
        Assert.Equal(written.ContentAddress(), manifest.ContentAddress());
        Assert.IsType<SegResNet>(restored);
        using var noGrad = no_grad();
        Assert.True(restored.forward(input).allclose(network.forward(input), rtol: 0, atol: 0));
    }

    [Fact]
    public async Task writing_the_same_weights_twice_gives_the_same_content_address()
    {
        using var scope = NewDisposeScope();
        var network = new UNet(new UNetOptions { Channels = [4, 8], Strides = [2] });
        var draft = LiverManifest(network.Options);

        var first = await Checkpoint.WriteAsync(network, draft, Path.Combine(_directory, "a"), CancellationToken.None);
        var second = await Checkpoint.WriteAsync(network, draft, Path.Combine(_directory, "b"), CancellationToken.None);

        Assert.Equal(first.ContentAddress(), second.ContentAddress());
    }

    [Fact]
    public async Task a_checkpoint_whose_weights_were_replaced_is_refused()
    {
        using var scope = NewDisposeScope();
        var options = new DenseNetOptions { GrowthRate = 4, BlockConfig = [1, 1], NumInitFeatures = 8, BnSize = 1, NumClasses = 2, InChannels = 1 };
        var hipXray = new CheckpointManifest(
            ArchitectureSpec.Of(options),
            new InputSpec([new InputChannel("DX", new IntensityNormalisation(IntensityNormalisationKind.ZScoreNonZero))], [0.2, 0.2]),
            new OutputSpec(OutputKind.Classification, ["no fracture", "fracture"]),
            new TrainingLineage(null, null, "0123abc"),
            WeightsDigest: "");
        await Checkpoint.WriteAsync(new DenseNet(options), hipXray, _directory, CancellationToken.None);
        new DenseNet(options).save(Path.Combine(_directory, Checkpoint.WeightsFileName));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Checkpoint.ReadAsync(_directory, CancellationToken.None));
        Assert.Contains("but the manifest names", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_manifest_naming_an_unknown_architecture_says_which_ones_exist()
    {
        var spec = new ArchitectureSpec("VNet", []);

        var error = Assert.Throws<InvalidOperationException>(() => spec.Create());
        Assert.Contains("SegResNet, SegResNetVAE, UNet, DenseNet", error.Message, StringComparison.Ordinal);
    }
}
