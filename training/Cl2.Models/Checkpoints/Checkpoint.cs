using System.Security.Cryptography;
using Cl2.Models.Import;
using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Checkpoints;

/// <summary>
/// A checkpoint on disk: <c>weights.bin</c> (TorchSharp's state-dict format, keys named as in MONAI/torchvision; for an
/// imported TorchScript model, the TorchScript archive) and
/// <c>manifest.json</c> beside it. The folder is what the blob store keeps under <see cref="CheckpointManifest.ContentAddress"/>.
/// </summary>
public static class Checkpoint
{
    public const string WeightsFileName = "weights.bin";
    public const string ManifestFileName = "manifest.json";

    /// <summary>Writes the weights, fills in their digest, writes the manifest, and returns the manifest as written.</summary>
    /// <exception cref="NonFiniteWeightsException">A weight or buffer is NaN or infinite: such a model must never be registered.</exception>
    public static async Task<CheckpointManifest> WriteAsync(nn.Module module, CheckpointManifest manifest, string directory,
        CancellationToken cancellationToken)
    {
        manifest.Validate();
        NonFiniteWeightsException.ThrowIfAny(module);
        Directory.CreateDirectory(directory);
        var weightsPath = Path.Combine(directory, WeightsFileName);
        module.save(weightsPath);
        return await WriteManifestAsync(manifest, directory, cancellationToken);
    }

    /// <summary>
    /// Copies a weights file made elsewhere (an imported TorchScript archive) into the checkpoint as it is, fills in its
    /// digest, writes the manifest, and returns the manifest as written.
    /// </summary>
    public static async Task<CheckpointManifest> WriteFileAsync(string weightsFile, CheckpointManifest manifest, string directory,
        CancellationToken cancellationToken)
    {
        manifest.Validate();
        Directory.CreateDirectory(directory);
        File.Copy(weightsFile, Path.Combine(directory, WeightsFileName), overwrite: true);
        return await WriteManifestAsync(manifest, directory, cancellationToken);
    }

    private static async Task<CheckpointManifest> WriteManifestAsync(CheckpointManifest manifest, string directory,
        CancellationToken cancellationToken)
    {
        var weightsPath = Path.Combine(directory, WeightsFileName);
        var written = manifest with { WeightsDigest = await DigestOfFileAsync(weightsPath, cancellationToken) };
        await File.WriteAllTextAsync(Path.Combine(directory, ManifestFileName), written.ToJson(), cancellationToken);
        return written;
    }

    /// <summary>
    /// Reads the manifest, checks the weights against its digest, builds the network on the CPU and loads the weights.
    /// </summary>
    /// <exception cref="InvalidDataException">The weights are not the ones the manifest names.</exception>
    public static async Task<(CheckpointManifest Manifest, nn.Module<Tensor, Tensor> Network)> ReadAsync(string directory,
        CancellationToken cancellationToken)
    {
        var manifest = CheckpointManifest.FromJson(await File.ReadAllTextAsync(Path.Combine(directory, ManifestFileName), cancellationToken));
        var weightsPath = Path.Combine(directory, WeightsFileName);
        var actual = await DigestOfFileAsync(weightsPath, cancellationToken);
        if (actual != manifest.WeightsDigest)
        {
            throw new InvalidDataException($"The weights in '{directory}' are {actual}, but the manifest names {manifest.WeightsDigest}.");
        }
        if (manifest.Architecture.IsTorchScript)
        {
            return (manifest, TorchScriptNetwork.Load(weightsPath));
        }
        var network = manifest.Architecture.Create();
        network.load(weightsPath);
        return (manifest, network);
    }

    internal static async Task<string> DigestOfFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }
}
