using Cl2.Dicom;
using Cl2.Dicom.Web;
using Cl2.Dicom.Tests.DataSets;

namespace Cl2.Dicom.Tests.Web;

public sealed class DicomJsonReaderTests
{
    [Fact]
    public void the_json_of_every_readable_corpus_file_reads_back_into_a_dataset_that_writes_the_same_json()
    {
        var compared = 0;
        var mismatches = new List<string>();
        foreach (var relative in Corpus.DataFiles().Where(path => path.StartsWith("test_files", StringComparison.Ordinal)))
        {
            DicomFile file;
            string json;
            try
            {
                file = DicomFile.Open(Corpus.DataFile(relative));
                json = DicomJsonWriter.Serialize(file.Dataset);
            }
            catch (Exception exception) when (exception is DicomFormatException or Cl2.Dicom.Imaging.PixelDataException or NotSupportedException or ArgumentException or FormatException or InvalidOperationException or KeyNotFoundException)
            {
                continue; // the corpus holds malformed files on purpose; the writer's own tests cover them
            }
            var again = DicomJsonWriter.Serialize(DicomJsonReader.Parse(json));
            compared++;
            if (again != json)
            {
                var (before, after) = (json.Split('\n'), again.Split('\n'));
                var line = Enumerable.Range(0, Math.Min(before.Length, after.Length)).FirstOrDefault(i => before[i] != after[i]);
                mismatches.Add($"{relative} line {line + 1}: {before[line].Trim()} became {after[line].Trim()}");
            }
        }
        Assert.True(compared > 50, $"only {compared} corpus files could be compared");
        Assert.True(mismatches.Count == 0, "JSON changed after a read-back for: " + string.Join(", ", mismatches));
    }

    [Fact]
    public void values_of_each_kind_are_read_as_the_standard_encodes_them()
    {
        var dataset = DicomJsonReader.Parse("""
            {
              "00080005": { "vr": "CS", "Value": ["ISO_IR 100"] },
              "00100010": { "vr": "PN", "Value": [{ "Alphabetic": "Müller^Anna", "Ideographic": "ミュラー" }] },
              "00200013": { "vr": "IS", "Value": [7] },
              "00280030": { "vr": "DS", "Value": [0.5, 0.25] },
              "00280010": { "vr": "US", "Value": [512] },
              "00209165": { "vr": "AT", "Value": ["00100020"] },
              "00081030": { "vr": "LO" },
              "00400275": { "vr": "SQ", "Value": [{ "00400007": { "vr": "LO", "Value": ["Knie rechts"] } }] },
              "7FE00010": { "vr": "OW", "BulkDataURI": "http://example/bulk" },
              "00291010": { "vr": "OB", "InlineBinary": "AQID" }
            }
            """);
        Assert.Equal("ISO_IR 192", dataset.GetString(DicomTags.SpecificCharacterSet));
        Assert.Equal("Müller^Anna=ミュラー", dataset.GetString(DicomTags.PatientName));
        Assert.Equal(7, dataset.GetValue<int>(DicomTags.InstanceNumber));
        Assert.Equal([0.5, 0.25], dataset.GetValues<double>(DicomTags.PixelSpacing));
        Assert.Equal(512, dataset.GetValue<ushort>(DicomTags.Rows));
        Assert.Equal(DicomTags.PatientID, dataset.GetValue<DicomTag>(new DicomTag(0x0020, 0x9165)));
        Assert.Equal("", dataset.GetString(DicomTags.StudyDescription));
        Assert.Equal("Knie rechts", dataset.GetSequence(new DicomTag(0x0040, 0x0275)).Items[0].GetString(new DicomTag(0x0040, 0x0007)));
        Assert.Equal(0, ((DicomValueElement)dataset.GetElement(DicomTags.PixelData)).Length);
        Assert.Equal([1, 2, 3], ((DicomValueElement)dataset.GetElement(new DicomTag(0x0029, 0x1010))).Buffer.GetBytes().ToArray());
        Assert.Throws<DicomFormatException>(() => DicomJsonReader.Parse("""{ "0010": { "vr": "PN" } }"""));
    }
}
