using System.Security.Cryptography;
using System.Text.Json;

namespace Cl2.Models.Checkpoints;

/// <summary>
/// Everything needed to use a set of weights correctly, stored beside them: the architecture and its hyper-parameters,
/// the input it expects, what its outputs mean, its lineage, and the SHA-256 of the weights file.
/// </summary>
/// <param name="WeightsDigest">"sha256:&lt;hex&gt;" of the weights file's bytes (TorchSharp's format).</param>
public sealed record CheckpointManifest(
    ArchitectureSpec Architecture,
    InputSpec Input,
    OutputSpec Output,
    TrainingLineage Lineage,
    string WeightsDigest,
    int FormatVersion = CheckpointManifest.CurrentFormatVersion)
{
    public const int CurrentFormatVersion = 1;

    public string ToJson() => JsonSerializer.Serialize(this, ManifestJson.Options);

    public static CheckpointManifest FromJson(string json)
    {
        var manifest = JsonSerializer.Deserialize<CheckpointManifest>(json, ManifestJson.Options)
            ?? throw new InvalidDataException("The checkpoint manifest is empty.");
        if (manifest.FormatVersion != CurrentFormatVersion)
        {
            throw new InvalidDataException($"Checkpoint manifest format {manifest.FormatVersion} is not supported (this build reads {CurrentFormatVersion}).");
        }
        manifest.Validate();
        return manifest;
    }

    /// <summary>
    /// Checks that the manifest describes its network: one modality per input channel, one label per output channel,
    /// one spacing per spatial axis. A manifest that does not would let inference feed or read the network wrongly.
    /// </summary>
    /// <exception cref="InvalidDataException">The manifest and the architecture disagree.</exception>
    public void Validate()
    {
        var (inChannels, outChannels, spatialDims) = Architecture.Interface;
        var problems = new List<string>();
        if (Input.Channels.Count != inChannels)
        {
            problems.Add($"{Input.Channels.Count} input modalities for {inChannels} input channels");
        }
        if (Output.Labels.Count != outChannels)
        {
            problems.Add($"{Output.Labels.Count} output labels for {outChannels} output channels");
        }
        if (Input.SpacingMm.Count != spatialDims)
        {
            problems.Add($"{Input.SpacingMm.Count} spacings for a {spatialDims}-D network");
        }
        if (problems.Count > 0)
        {
            throw new InvalidDataException($"The manifest does not fit its {Architecture.Name}: {string.Join("; ", problems)}.");
        }
    }

    /// <summary>
    /// The checkpoint's content address: SHA-256 of the manifest's JSON. The manifest carries the weights' digest, so
    /// the address changes when either the weights or anything the manifest says changes.
    /// </summary>
    public string ContentAddress() => Sha256(System.Text.Encoding.UTF8.GetBytes(ToJson()));

    internal static string Sha256(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
}
