using Cl2.Dicom.Coding;
using Cl2.Dicom.Segmentation;
using Cl2.Dicom.StructuredReports;

namespace Cl2.Dicom.Tests.ResultObjects;

/// <summary>Two reports: the volumes of the liver-ct segmentation, and a hip fracture finding on a radiograph.</summary>
public sealed class MeasurementReportFixture : IDisposable
{
    public MeasurementReportFixture()
    {
        Folder = Directory.CreateTempSubdirectory("cl2-sr-").FullName;
        Segmentation = new SegmentationFixture();
        var seg = Segmentation.Content(Segmentation.Masks);
        Volumes = VolumeMeasurement.ForSegments(seg);
        VolumePath = Path.Combine(Folder, "volumes.dcm");
        MeasurementReportWriter.Write(VolumeContent() with
        {
            Segmentation = new SegmentationReference(seg.SopInstanceUid, seg.SeriesInstanceUid, Segmentation.Series.SeriesUid),
            Volumes = Volumes,
        }).Save(VolumePath);
        FracturePath = Path.Combine(Folder, "fracture.dcm");
        MeasurementReportWriter.Write(FractureContent()).Save(FracturePath);
    }

    public string Folder { get; }

    public SegmentationFixture Segmentation { get; }

    public IReadOnlyList<VolumeMeasurement> Volumes { get; }

    public string VolumePath { get; }

    public string FracturePath { get; }

    public DicomDataset XRay { get; } = Radiograph.Pelvis();

    public static DeviceObserver Model(string name, string version) =>
        new(NameBasedUid.For($"test/model/{name}/{version}"), name, $"{name} {version}");

    internal MeasurementReportContent VolumeContent() => new()
    {
        StudyImage = Segmentation.Series.InOrder[0],
        SopInstanceUid = NameBasedUid.For("test/sr/volumes"),
        SeriesInstanceUid = NameBasedUid.For("test/sr/volumes-series"),
        SeriesNumber = 901,
        SeriesDescription = "liver-ct volumes",
        ContentDateTime = SegmentationFixture.MadeAt,
        Observer = Model("liver-ct", "3"),
        SoftwareVersions = "cl2 test",
    };

    internal MeasurementReportContent FractureContent(double probability = 0.87) => new()
    {
        StudyImage = XRay,
        SopInstanceUid = NameBasedUid.For("test/sr/fracture"),
        SeriesInstanceUid = NameBasedUid.For("test/sr/fracture-series"),
        SeriesNumber = 902,
        SeriesDescription = "hip-xray finding",
        ContentDateTime = SegmentationFixture.MadeAt,
        Observer = Model("hip-xray", "2"),
        SoftwareVersions = "cl2 test",
        Findings = [new ClassificationFinding(CodedConcepts.FractureOfNeckOfFemur, Present: true, probability, XRay, CodedConcepts.Left, CodedConcepts.Femur)],
    };

    public void Dispose()
    {
        Segmentation.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}
