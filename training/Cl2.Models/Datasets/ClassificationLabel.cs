using System.Text.Json;
using Cl2.Models.Synthetic;

namespace Cl2.Models.Datasets;

/// <summary>
/// A classification label as one blob, a small JSON document:
/// <c>{"format": "cl2-classification/1", "referencedSeriesInstanceUids": ["…"], "labels": {"fracture": true}}</c> —
/// the series the label was read on (in channel order) and a true/false per output label of the model's task.
/// </summary>
public sealed record ClassificationLabel(string Format, IReadOnlyList<string> ReferencedSeriesInstanceUids, IReadOnlyDictionary<string, bool> Labels)
{
    public const string CurrentFormat = "cl2-classification/1";

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, CohortManifest.Json);

    /// <exception cref="InvalidDataException">Not JSON of this format, or without series or labels.</exception>
    public static ClassificationLabel Read(byte[] blob, string source)
    {
        ClassificationLabel? label;
        try
        {
            label = JsonSerializer.Deserialize<ClassificationLabel>(blob, CohortManifest.Json);
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"{source} is not a {CurrentFormat} JSON document: {exception.Message}", exception);
        }
        if (label?.Format != CurrentFormat)
        {
            throw new InvalidDataException($"{source} has format '{label?.Format}'; a classification label is {{\"format\": \"{CurrentFormat}\", \"referencedSeriesInstanceUids\": […], \"labels\": {{…}}}}");
        }
        return label is { ReferencedSeriesInstanceUids.Count: > 0, Labels: not null }
            ? label
            : throw new InvalidDataException($"{source} names no referenced series or no labels");
    }
}
