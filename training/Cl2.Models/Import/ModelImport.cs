using Cl2.Models.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Import;

/// <summary>
/// Brings a model trained elsewhere into the checkpoint format, so the platform registers and serves it like its own:
/// a PyTorch state dict into one of our networks (by key name), or a TorchScript archive as it is. The manifest's
/// lineage records the digest of the imported file and no training data. The reverse, <see cref="ExportStateDictAsync"/>,
/// hands our weights to PyTorch.
/// </summary>
public static class ModelImport
{
    /// <summary>
    /// Builds <paramref name="spec"/>'s network, loads the state dict at <paramref name="stateDictPath"/> into it and
    /// writes a checkpoint to <paramref name="directory"/>.
    /// </summary>
    /// <exception cref="StateDictMismatchException">The state dict does not fit the architecture the spec names.</exception>
    public static async Task<CheckpointManifest> FromStateDictAsync(string stateDictPath, ImportSpec spec, string directory,
        CancellationToken cancellationToken)
    {
        if (spec.Architecture.IsTorchScript)
        {
            throw new ArgumentException("The spec names TorchScript: import the archive with FromTorchScriptAsync.", nameof(spec));
        }
        var manifest = await ManifestOfAsync(stateDictPath, spec, cancellationToken);
        using var scope = NewDisposeScope();
        var network = spec.Architecture.Create();
        PyTorchStateDict.Load(network, stateDictPath);
        return await Checkpoint.WriteAsync(network, manifest, directory, cancellationToken);
    }

    /// <summary>
    /// Checks that <paramref name="scriptPath"/> is a TorchScript archive that loads here and writes it, unchanged, as a
    /// checkpoint's weights to <paramref name="directory"/>. The spec's architecture must be <see cref="ArchitectureSpec.TorchScriptName"/>.
    /// </summary>
    public static async Task<CheckpointManifest> FromTorchScriptAsync(string scriptPath, ImportSpec spec, string directory,
        CancellationToken cancellationToken)
    {
        if (!spec.Architecture.IsTorchScript)
        {
            throw new ArgumentException(
                $"A TorchScript archive is imported with the architecture '{ArchitectureSpec.TorchScriptName}' (channels in and out, " +
                $"spatial dimensions), not '{spec.Architecture.Name}'.", nameof(spec));
        }
        var manifest = await ManifestOfAsync(scriptPath, spec, cancellationToken);
        using (TorchScriptNetwork.Load(scriptPath))
        {
            // Loaded once to refuse a file that would only fail when served.
        }
        return await Checkpoint.WriteFileAsync(scriptPath, manifest, directory, cancellationToken);
    }

    /// <summary>Writes the weights of the checkpoint in <paramref name="directory"/> as a PyTorch state dict.</summary>
    public static async Task ExportStateDictAsync(string directory, string stateDictPath, CancellationToken cancellationToken)
    {
        var (manifest, network) = await Checkpoint.ReadAsync(directory, cancellationToken);
        using (network)
        {
            if (manifest.Architecture.IsTorchScript)
            {
                throw new InvalidOperationException("This checkpoint is a TorchScript archive: PyTorch loads its weights file with torch.jit.load as it is.");
            }
            PyTorchStateDict.Save(network, stateDictPath);
        }
    }

    private static async Task<CheckpointManifest> ManifestOfAsync(string path, ImportSpec spec, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The model file '{path}' does not exist.", path);
        }
        var lineage = new TrainingLineage(TrainingDataDigest: null, BaseVersion: null, spec.CodeVersion,
            ImportedFrom: await Checkpoint.DigestOfFileAsync(path, cancellationToken));
        var manifest = new CheckpointManifest(spec.Architecture, spec.Input, spec.Output, lineage, WeightsDigest: "");
        manifest.Validate();
        return manifest;
    }
}
