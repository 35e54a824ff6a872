using System.Text.Json.Nodes;
using Cl2.Dicom;
using Cl2.Dicom.Coding;
using Cl2.Dicom.Segmentation;
using Cl2.Dicom.StructuredReports;

namespace Cl2.EndToEnd.Web;

/// <summary>
/// A model's result on a synthetic CT as the review page finds it in the archive: a DICOM SEG of synth's own label volume
/// (one segment per label name) and its TID 1500 volume report, written with cl2's writers (as inference writes them).
/// </summary>
public sealed record ReviewedSegmentation(byte[] Segmentation, byte[] Report, string SegmentationUid, string ReportUid, byte[] Labels)
{
    public static async Task<ReviewedSegmentation> WriteAsync(string labelsHeader, string seriesFolder, string algorithmVersion)
    {
        var header = JsonNode.Parse(await File.ReadAllTextAsync(labelsHeader))!;
        var labels = await File.ReadAllBytesAsync(Path.Combine(Path.GetDirectoryName(labelsHeader)!, header["dataFile"]!.GetValue<string>()));
        var sources = Directory.GetFiles(seriesFolder, "*.dcm").Select(file => DicomFile.Open(file).Dataset).ToList();
        var scope = Guid.NewGuid().ToString("N");
        // Value 0 is the background, which synth names too; a SEG lists only segments.
        var content = Content(sources, [.. header["labelNames"]!.AsObject().Where(name => name.Key != "0").Select(name =>
        {
            var value = byte.Parse(name.Key, System.Globalization.CultureInfo.InvariantCulture);
            var label = name.Value!.GetValue<string>();
            return new SegmentMask(new SegmentDescription(value, label, SegmentedProperty.ForLabel(label)),
                [.. labels.Select(voxel => voxel == value ? (byte)1 : (byte)0)]);
        })], scope, algorithmVersion, seriesNumber: 1001);
        var report = MeasurementReportWriter.Write(new MeasurementReportContent
        {
            StudyImage = sources[0],
            SopInstanceUid = NameBasedUid.For($"web-review/{scope}/sr"),
            SeriesInstanceUid = NameBasedUid.For($"web-review/{scope}/sr-series"),
            SeriesNumber = 2001,
            ContentDateTime = DateTimeOffset.UtcNow,
            Observer = new DeviceObserver(NameBasedUid.For($"web-review/{scope}/model"), "liver-ct", algorithmVersion),
            Segmentation = new SegmentationReference(content.SopInstanceUid, content.SeriesInstanceUid, sources[0].GetString(DicomTags.SeriesInstanceUID)),
            Volumes = VolumeMeasurement.ForSegments(content),
        });
        return new ReviewedSegmentation(Bytes(SegmentationWriter.Write(content)), Bytes(report), content.SopInstanceUid,
            NameBasedUid.For($"web-review/{scope}/sr"), labels);
    }

    /// <summary>Another SEG of the same series, as a result that wrote several holds: one segment, <paramref name="label"/>,
    /// over the voxels of <paramref name="mask"/> (1 inside, in the label volume's order), its Series Description
    /// <paramref name="algorithmVersion"/>.</summary>
    public static (byte[] Segmentation, string SegmentationUid) WriteAnother(string seriesFolder, string label, byte[] mask, string algorithmVersion)
    {
        var sources = Directory.GetFiles(seriesFolder, "*.dcm").Select(file => DicomFile.Open(file).Dataset).ToList();
        var content = Content(sources, [new SegmentMask(new SegmentDescription(1, label, SegmentedProperty.ForLabel(label)), mask)],
            Guid.NewGuid().ToString("N"), algorithmVersion, seriesNumber: 1002);
        return (Bytes(SegmentationWriter.Write(content)), content.SopInstanceUid);
    }

    private static SegmentationContent Content(IReadOnlyList<DicomDataset> sources, IReadOnlyList<SegmentMask> segments, string scope,
        string algorithmVersion, int seriesNumber) => new()
        {
            SourceImages = sources,
            Segments = segments,
            SopInstanceUid = NameBasedUid.For($"web-review/{scope}/seg"),
            SeriesInstanceUid = NameBasedUid.For($"web-review/{scope}/seg-series"),
            SeriesNumber = seriesNumber,
            SeriesDescription = algorithmVersion,
            ContentDateTime = DateTimeOffset.UtcNow,
            AlgorithmName = "liver-ct",
            AlgorithmVersion = algorithmVersion,
            SoftwareVersions = "cl2 web tests",
        };

    private static byte[] Bytes(DicomFile file)
    {
        using var stream = new MemoryStream();
        file.Save(stream);
        return stream.ToArray();
    }
}
