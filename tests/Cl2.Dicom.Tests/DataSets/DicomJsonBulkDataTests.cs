using System.Text.Json.Nodes;
using Cl2.Dicom;

namespace Cl2.Dicom.Tests.DataSets;

/// <summary>DicomJsonWriter with a bulk data locator: PS3.18 §F.2.6 BulkDataURI in place of the values it names, nothing else changed.</summary>
public sealed class DicomJsonBulkDataTests
{
    [Fact]
    public void a_located_value_is_written_as_bulk_data_uri_with_its_tag_path_through_sequence_items_and_the_rest_is_unchanged()
    {
        var file = DicomFile.Open("/usr/lib/python3/dist-packages/pydicom/data/test_files/waveform_ecg.dcm");
        var offered = new List<string>();
        var located = new MemoryStream();
        DicomJsonWriter.Write(located, file.Dataset, (path, element) =>
        {
            offered.Add(path);
            Assert.IsNotType<DicomSequence>(element);
            return element is DicomValueElement { Length: > 1024 } value && value.VR == DicomVR.OW ? $"bulk/{path}" : null;
        });

        var json = JsonNode.Parse(located.ToArray())!.AsObject();
        var plain = JsonNode.Parse(DicomJsonWriter.Serialize(file.Dataset))!.AsObject();
        string[] bulk = ["54000100/0/54001010", "54000100/1/54001010"];
        Assert.Contains("00080016", offered);
        Assert.Contains("54000100/1/003A0005", offered); // elements of items are offered with their path, sequences are not
        Assert.DoesNotContain("54000100", offered);
        foreach (var path in bulk)
        {
            var element = Element(json, path);
            Assert.Equal($"bulk/{path}", (string?)element["BulkDataURI"]);
            Assert.Null(element["InlineBinary"]);
            Assert.NotNull(Element(plain, path)["InlineBinary"]);
            Element(plain, path).Remove("InlineBinary");
            Element(plain, path)["BulkDataURI"] = $"bulk/{path}";
        }
        Assert.True(JsonNode.DeepEquals(plain, json));
    }

    private static JsonObject Element(JsonObject dataset, string path)
    {
        var parts = path.Split('/');
        var node = dataset[parts[0]]!.AsObject();
        for (var i = 1; i < parts.Length; i += 2)
        {
            node = node["Value"]![int.Parse(parts[i], System.Globalization.CultureInfo.InvariantCulture)]![parts[i + 1]]!.AsObject();
        }
        return node;
    }
}
