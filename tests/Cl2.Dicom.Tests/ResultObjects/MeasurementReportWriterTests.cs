using System.Globalization;
using System.Text.Json;
using Cl2.Dicom.StructuredReports;
using Xunit.Abstractions;

namespace Cl2.Dicom.Tests.ResultObjects;

public sealed class MeasurementReportWriterTests(MeasurementReportFixture fixture, ITestOutputHelper output) : IClassFixture<MeasurementReportFixture>
{
    /// <summary>Walks an SR's content tree with pydicom and prints each item's path of concept names, value type and value.</summary>
    private const string ContentTree = """
        import json, sys
        import pydicom
        ds = pydicom.dcmread(sys.argv[1])
        items = []
        def walk(node, path):
            for item in getattr(node, "ContentSequence", []):
                name = item.ConceptNameCodeSequence[0].CodeMeaning if "ConceptNameCodeSequence" in item else ""
                value = ""
                if item.ValueType == "NUM":
                    m = item.MeasuredValueSequence[0]
                    value = str(m.NumericValue) + " " + m.MeasurementUnitsCodeSequence[0].CodeValue
                elif item.ValueType == "CODE":
                    value = item.ConceptCodeSequence[0].CodeValue
                elif item.ValueType == "TEXT":
                    value = item.TextValue
                elif item.ValueType == "UIDREF":
                    value = item.UID
                elif item.ValueType == "IMAGE":
                    r = item.ReferencedSOPSequence[0]
                    value = r.ReferencedSOPInstanceUID + ("#" + str(r.ReferencedSegmentNumber) if "ReferencedSegmentNumber" in r else "")
                items.append({"path": path + "/" + name, "relationship": item.RelationshipType, "type": item.ValueType, "value": value})
                walk(item, path + "/" + name)
        walk(ds, "")
        print(json.dumps(items))
        """;

    public static TheoryData<string> Reports => ["volumes", "fracture"];

    private string PathOf(string report) => report == "volumes" ? fixture.VolumePath : fixture.FracturePath;

    private async Task<List<(string Path, string Relationship, string Type, string Value)>> TreeAsync(string report)
    {
        using var json = JsonDocument.Parse(await ResultObjectPeers.PythonAsync(ContentTree, PathOf(report)));
        return json.RootElement.EnumerateArray()
            .Select(i => (i.GetProperty("path").GetString()!, i.GetProperty("relationship").GetString()!, i.GetProperty("type").GetString()!, i.GetProperty("value").GetString()!))
            .ToList();
    }

    [Theory]
    [MemberData(nameof(Reports))]
    public async Task dciodvfy_finds_no_error_in_a_written_report(string report)
    {
        var (errors, warnings, text) = await ResultObjectPeers.DciodvfyAsync(PathOf(report));
        output.WriteLine(text);

        Assert.True(errors.Length == 0, text);
        Assert.Contains("EnhancedSR", text, StringComparison.Ordinal);
        output.WriteLine($"{warnings.Length} warnings");
    }

    [Theory]
    [MemberData(nameof(Reports))]
    public async Task dcmdump_reads_a_written_report_without_a_warning(string report)
    {
        var (complaints, text) = await ResultObjectPeers.DcmdumpAsync(PathOf(report));

        Assert.True(complaints.Length == 0, text);
        Assert.Contains("(0040,a730)", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task each_segment_volume_is_reported_in_millilitres_against_its_segment()
    {
        var tree = await TreeAsync("volumes");

        var volumes = tree.Where(i => i.Path == "/Imaging Measurements/Measurement Group/Volume").Select(i => i.Value).ToList();
        // The liver box is 4x8x7 voxels of 0.75 x 0.75 x 2.5 mm; the lesion 2x3x3 plus one stray voxel.
        Assert.Equal([Ml(4 * 8 * 7), Ml((2 * 3 * 3) + 1)], volumes);
        var segments = tree.Where(i => i.Path == "/Imaging Measurements/Measurement Group/Referenced Segment").Select(i => i.Value).ToList();
        var seg = fixture.Segmentation.Content(fixture.Segmentation.Masks).SopInstanceUid;
        Assert.Equal([seg + "#1", seg + "#2"], segments);
        Assert.Contains(tree, i => i.Path == "/Imaging Measurements/Measurement Group/Finding Site" && i.Value == "10200004");
    }

    private static string Ml(int voxels) => (voxels * 0.75 * 0.75 * 2.5 / 1000).ToString("0.##########", CultureInfo.InvariantCulture) + " ml";

    [Fact]
    public async Task the_fracture_finding_carries_presence_side_and_probability_from_the_image()
    {
        var tree = await TreeAsync("fracture");

        Assert.Contains(tree, i => i.Path == "/Imaging Measurements/Measurement Group/Fracture of neck of femur" && i.Value == "52101004");
        Assert.Contains(tree, i => i.Path == "/Imaging Measurements/Measurement Group/Finding Site/Laterality" && i.Value == "7771000");
        Assert.Contains(tree, i => i.Path == "/Imaging Measurements/Measurement Group/Probability" && i.Value == "0.87 1");
        var image = fixture.XRay.GetString(DicomTags.SOPInstanceUID);
        Assert.Contains(tree, i => i.Path == "/Imaging Measurements/Measurement Group/Probability/Source of Measurement" && i.Relationship == "INFERRED FROM" && i.Value == image);
        Assert.Contains(tree, i => i.Path == "/Image Library/" && i.Value == image);
    }

    [Fact]
    public async Task the_model_version_is_the_device_observer()
    {
        var tree = await TreeAsync("fracture");

        Assert.Contains(tree, i => i.Path == "/Observer Type" && i.Value == "121007");
        Assert.Contains(tree, i => i.Path == "/Device Observer Model Name" && i.Value == "hip-xray 2");
        Assert.Contains(tree, i => i.Path == "/Device Observer UID" && i.Value == MeasurementReportFixture.Model("hip-xray", "2").Uid);
    }

    [Fact]
    public void the_evidence_lists_the_segmentation_the_volumes_refer_to()
    {
        var report = DicomFile.Open(fixture.VolumePath).Dataset;

        var study = report.GetSequence(DicomTags.CurrentRequestedProcedureEvidenceSequence).Items.Single();
        var series = study.GetSequence(DicomTags.ReferencedSeriesSequence).Items.Single();
        var instance = series.GetSequence(DicomTags.ReferencedSOPSequence).Items.Single();
        Assert.Equal(fixture.Segmentation.Series.StudyUid, study.GetString(DicomTags.StudyInstanceUID));
        Assert.Equal(fixture.Segmentation.Content(fixture.Segmentation.Masks).SopInstanceUid, instance.GetString(DicomTags.ReferencedSOPInstanceUID));
        Assert.Equal(DicomUids.SegmentationStorage.Value, instance.GetString(DicomTags.ReferencedSOPClassUID));
    }

    [Fact]
    public void a_probability_above_one_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => MeasurementReportWriter.Write(fixture.FractureContent(probability: 1.5)));

        Assert.Contains("from 0 to 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void volumes_without_their_segmentation_are_refused()
    {
        var content = fixture.VolumeContent() with { Volumes = fixture.Volumes };

        var error = Assert.Throws<ArgumentException>(() => MeasurementReportWriter.Write(content));

        Assert.Contains("set Segmentation", error.Message, StringComparison.Ordinal);
    }
}
