using System.Globalization;
using System.Text.Json;

namespace Cl2.Dicom.Web;

/// <summary>
/// Reads the DICOM JSON model of PS3.18 Annex F (what <see cref="DicomJsonWriter"/> and QIDO-RS / WADO-RS metadata produce)
/// into datasets. Text arrives as Unicode, so a dataset that declares a character set is re-declared as UTF-8 (ISO_IR 192).
/// An element given by BulkDataURI becomes an empty value: its bytes live elsewhere (retrieve them by WADO-RS).
/// </summary>
public static class DicomJsonReader
{
    public static DicomDataset Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Read(document.RootElement);
    }

    /// <summary>A JSON array of datasets (the body of a QIDO-RS or metadata response).</summary>
    public static IReadOnlyList<DicomDataset> ParseArray(JsonElement array)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new DicomFormatException($"expected a JSON array of DICOM datasets, got {array.ValueKind}");
        }
        return array.EnumerateArray().Select(Read).ToArray();
    }

    public static async Task<IReadOnlyList<DicomDataset>> ReadArrayAsync(Stream json, CancellationToken cancellationToken = default)
    {
        using var document = await JsonDocument.ParseAsync(json, cancellationToken: cancellationToken).ConfigureAwait(false);
        return ParseArray(document.RootElement);
    }

    public static DicomDataset Read(JsonElement json)
    {
        var dataset = new DicomDataset();
        Fill(dataset, json);
        return dataset;
    }

    private static void Fill(DicomDataset dataset, JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new DicomFormatException($"expected a DICOM JSON dataset (an object keyed by tag), got {json.ValueKind}");
        }
        if (json.TryGetProperty("00080005", out var declared))
        {
            // Top level: the JSON text is Unicode, so UTF-8 is declared (as DicomJsonWriter and dcm2json write it). An item keeps
            // its own declaration, which the writer leaves as it was, and its text is encoded back into it.
            var terms = dataset.Parent is null || !declared.TryGetProperty("Value", out var value)
                ? "ISO_IR 192"
                : string.Join('\\', value.EnumerateArray().Select(Text));
            dataset.SetString(DicomTags.SpecificCharacterSet, DicomVR.CS, terms);
        }
        foreach (var property in json.EnumerateObject())
        {
            var tag = ParseTag(property.Name);
            if (tag == DicomTags.SpecificCharacterSet)
            {
                continue;
            }
            var vrText = property.Value.TryGetProperty("vr", out var vrProperty) ? vrProperty.GetString() : null;
            var vr = vrText is not null && DicomVR.TryParse(vrText, out var parsed) ? parsed : DicomDictionary.ImplicitVR(tag);
            ReadElement(dataset, tag, vr, property.Value);
        }
    }

    private static void ReadElement(DicomDataset dataset, DicomTag tag, DicomVR vr, JsonElement element)
    {
        if (element.TryGetProperty("InlineBinary", out var inline))
        {
            // As given, even of odd length (UN values in the corpus are): the bytes are not ours to pad.
            dataset.Add(new DicomValueElement(tag, vr, DicomBuffer.FromBytes(inline.GetBytesFromBase64())));
            return;
        }
        if (element.TryGetProperty("BulkDataURI", out _))
        {
            dataset.SetBytes(tag, vr, ReadOnlyMemory<byte>.Empty);
            return;
        }
        var hasValue = element.TryGetProperty("Value", out var value) && value.ValueKind == JsonValueKind.Array;
        if (vr == DicomVR.SQ)
        {
            var sequence = new DicomSequence(tag);
            dataset.Add(sequence);
            foreach (var itemJson in hasValue ? value.EnumerateArray() : default)
            {
                // Attached before it is filled, so the item's text is encoded in the character set it inherits.
                var item = new DicomDataset();
                sequence.Add(item);
                Fill(item, itemJson);
            }
            return;
        }
        if (!hasValue)
        {
            if (vr.IsText)
            {
                dataset.SetString(tag, vr, "");
            }
            else
            {
                dataset.SetBytes(tag, vr, ReadOnlyMemory<byte>.Empty);
            }
            return;
        }
        if (vr == DicomVR.PN)
        {
            dataset.SetString(tag, vr, string.Join('\\', value.EnumerateArray().Select(PersonName)));
        }
        else if (vr.IsText)
        {
            dataset.SetString(tag, vr, string.Join('\\', value.EnumerateArray().Select(Text)));
        }
        else if (vr == DicomVR.AT)
        {
            dataset.SetValues(tag, vr, value.EnumerateArray().Select(v => ParseTag(v.GetString() ?? "")).ToArray());
        }
        else
        {
            // Binary numbers (US, SL, FD, …): SetValues parses invariant text into the VR's encoding.
            dataset.SetValues(tag, vr, value.EnumerateArray().Select(Text).ToArray());
        }
    }

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "",
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.GetRawText(),
        _ => throw new DicomFormatException($"a DICOM JSON value must be a string, number or null, got {value.ValueKind}"),
    };

    private static string PersonName(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return "";
        }
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString()!;
        }
        string Group(string name) => value.TryGetProperty(name, out var group) ? group.GetString() ?? "" : "";
        return $"{Group("Alphabetic")}={Group("Ideographic")}={Group("Phonetic")}".TrimEnd('=');
    }

    private static DicomTag ParseTag(string text) =>
        text.Length == 8 && uint.TryParse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value)
            ? DicomTag.FromValue(value)
            : throw new DicomFormatException($"'{text}' is not a DICOM JSON attribute tag (8 hexadecimal digits)");
}
