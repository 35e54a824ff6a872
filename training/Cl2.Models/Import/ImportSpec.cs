using System.Text.Json;
using Cl2.Models.Checkpoints;

namespace Cl2.Models.Import;

/// <summary>
/// What a model trained elsewhere needs said about it before it can be registered: the part of the manifest its
/// weights file cannot tell. Written by hand as JSON beside the file, e.g. for the hip fracture DenseNet-121:
/// <code>
/// {"architecture": {"name": "DenseNet", "hyperParameters": {"inChannels": 1, "numClasses": 2}},
///  "input": {"channels": [{"modality": "DX", "normalisation": {"kind": "none"}}], "spacingMm": [0.5, 0.5]},
///  "output": {"kind": "classification", "labels": ["no fracture", "fracture"]},
///  "codeVersion": "krogue-2020"}
/// </code>
/// Hyper-parameters left out take the architecture's defaults (DenseNet: the DenseNet-121 configuration).
/// </summary>
/// <param name="CodeVersion">The revision of the code that trained it, as its authors name it.</param>
public sealed record ImportSpec(ArchitectureSpec Architecture, InputSpec Input, OutputSpec Output, string CodeVersion)
{
    public static ImportSpec FromJson(string json) =>
        JsonSerializer.Deserialize<ImportSpec>(json, ManifestJson.Options)
        ?? throw new InvalidDataException("The import spec is empty.");

    public string ToJson() => JsonSerializer.Serialize(this, ManifestJson.Options);
}
