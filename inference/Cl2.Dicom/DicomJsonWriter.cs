using System.Globalization;
using System.Text.Json;

namespace Cl2.Dicom;

/// <summary>
/// The DICOM JSON model of PS3.18 Annex F: elements keyed by "ggggeeee", text decoded to UTF-8, DS/IS as JSON numbers,
/// PN as component-group objects, AT as "ggggeeee", binary values (and encapsulated pixel data) as InlineBinary, or as a
/// BulkDataURI (§F.2.6) where a <see cref="DicomBulkDataLocator"/> gives one.
/// </summary>
public static class DicomJsonWriter
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Serialize(DicomDataset dataset)
    {
        using var output = new MemoryStream();
        Write(output, dataset);
        return System.Text.Encoding.UTF8.GetString(output.ToArray());
    }

    public static void Write(Stream output, DicomDataset dataset) => Write(output, dataset, null);

    /// <summary>
    /// Writes <paramref name="dataset"/>; each element that is not a sequence is offered to <paramref name="bulkData"/>, and
    /// one it names a URI for is written as <c>BulkDataURI</c> instead of its value.
    /// </summary>
    public static void Write(Stream output, DicomDataset dataset, DicomBulkDataLocator? bulkData)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(dataset);
        using var writer = new Utf8JsonWriter(output, Indented);
        WriteDataset(writer, dataset, topLevel: true, "", bulkData);
    }

    private static void WriteDataset(Utf8JsonWriter writer, DicomDataset dataset, bool topLevel, string path, DicomBulkDataLocator? bulkData)
    {
        writer.WriteStartObject();
        foreach (var element in dataset)
        {
            if (element.Tag.IsGroupLength)
            {
                continue; // PS3.18 §F.2.1: group length elements are not part of the JSON model
            }
            if (topLevel && element.Tag == DicomTags.SpecificCharacterSet)
            {
                // The text below is UTF-8 whatever the source encoding was, so the character set is re-declared; dcm2json does
                // the same, and leaves the declarations of items as they are.
                writer.WritePropertyName("00080005");
                writer.WriteStartObject();
                writer.WriteString("vr", "CS");
                writer.WriteStartArray("Value");
                writer.WriteStringValue("ISO_IR 192");
                writer.WriteEndArray();
                writer.WriteEndObject();
                continue;
            }
            var key = $"{element.Tag.Group:X4}{element.Tag.Element:X4}";
            var elementPath = path + key;
            writer.WritePropertyName(key);
            writer.WriteStartObject();
            writer.WriteString("vr", element.VR.Code);
            if (element is not DicomSequence && bulkData?.Invoke(elementPath, element) is { } uri)
            {
                writer.WriteString("BulkDataURI", uri);
                writer.WriteEndObject();
                continue;
            }
            switch (element)
            {
                case DicomSequence sequence:
                    if (sequence.Items.Count > 0)
                    {
                        writer.WriteStartArray("Value");
                        for (var i = 0; i < sequence.Items.Count; i++)
                        {
                            WriteDataset(writer, sequence.Items[i], topLevel: false, $"{elementPath}/{i}/", bulkData);
                        }
                        writer.WriteEndArray();
                    }
                    break;
                case DicomFragmentSequence fragments:
                    writer.WriteBase64String("InlineBinary", EncodeFragments(fragments));
                    break;
                case DicomValueElement value when value.Length > 0:
                    WriteValue(writer, dataset, value);
                    break;
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, DicomDataset dataset, DicomValueElement element)
    {
        var vr = element.VR;
        if (!vr.IsText && vr != DicomVR.AT && (vr.Code[0] == 'O' || vr == DicomVR.UN))
        {
            writer.WriteBase64String("InlineBinary", element.Buffer.GetBytes().Span);
            return;
        }
        if (vr == DicomVR.UR || vr == DicomVR.LT || vr == DicomVR.ST || vr == DicomVR.UT)
        {
            var text = DicomDataset.TrimPadding(dataset.DecodeText(element), vr);
            if (text.Length > 0)
            {
                writer.WriteStartArray("Value");
                writer.WriteStringValue(text);
                writer.WriteEndArray();
            }
            return;
        }
        var values = vr.IsText ? DicomDataset.SplitValues(dataset.DecodeText(element), vr) : dataset.GetValues<string>(element.Tag);
        if (vr == DicomVR.PN)
        {
            // "^^^^" is a name with every component empty: an empty value, as in dcm2json.
            values = values.Select(v => string.Join('=', v.Split('=').Select(g => g.TrimEnd('^', ' '))).TrimEnd('=')).ToArray();
        }
        if (values.All(v => v.Length == 0))
        {
            return;
        }
        writer.WriteStartArray("Value");
        foreach (var value in values)
        {
            if (value.Length == 0 && vr.IsText)
            {
                writer.WriteNullValue();
            }
            else if (vr == DicomVR.PN)
            {
                WritePersonName(writer, value);
            }
            else if (vr == DicomVR.DS || vr == DicomVR.IS || (!vr.IsText && vr != DicomVR.AT))
            {
                WriteNumber(writer, value.Trim(), vr);
            }
            else
            {
                writer.WriteStringValue(value);
            }
        }
        writer.WriteEndArray();
    }

    private static void WriteNumber(Utf8JsonWriter writer, string text, DicomVR vr)
    {
        // Numbers keep their text (DS/IS as written, FL/FD in shortest round-trip form), so no precision is invented or lost.
        var json = text.StartsWith('+') ? text[1..] : text;
        if (decimal.TryParse(json, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && IsJsonNumber(json))
        {
            writer.WriteRawValue(json, skipInputValidation: false);
        }
        else if (double.TryParse(json, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed))
        {
            writer.WriteNumberValue(parsed);
        }
        else
        {
            writer.WriteStringValue(text);
        }
    }

    private static bool IsJsonNumber(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Number;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void WritePersonName(Utf8JsonWriter writer, string value)
    {
        var groups = value.Split('=');
        writer.WriteStartObject();
        string[] names = ["Alphabetic", "Ideographic", "Phonetic"];
        for (var i = 0; i < Math.Min(groups.Length, 3); i++)
        {
            if (groups[i].Length > 0)
            {
                writer.WriteString(names[i], groups[i]);
            }
        }
        writer.WriteEndObject();
    }

    /// <summary>The encapsulated value as it is encoded: offset table item, fragment items, sequence delimiter.</summary>
    private static byte[] EncodeFragments(DicomFragmentSequence fragments)
    {
        using var stream = new MemoryStream();
        var header = new byte[8];
        void Item(DicomTag tag, long length)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(header, tag.Group);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(header[2..], tag.Element);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)length);
            stream.Write(header);
        }
        Item(DicomTag.Item, fragments.BasicOffsetTable.Length);
        fragments.BasicOffsetTable.CopyTo(stream);
        foreach (var fragment in fragments.Fragments)
        {
            Item(DicomTag.Item, fragment.Length);
            fragment.CopyTo(stream);
        }
        Item(DicomTag.SequenceDelimitationItem, 0);
        return stream.ToArray();
    }
}

/// <summary>
/// Where the value of <paramref name="element"/> can be retrieved, or null to write it inline. <paramref name="tagPath"/>
/// names the element from the top-level dataset: "ggggeeee" tags in upper-case hex, with the 0-based item number between a
/// sequence and an element of its item ("00880200/0/7FE00010").
/// </summary>
public delegate string? DicomBulkDataLocator(string tagPath, DicomElement element);
