using Cl2.Dicom.Segmentation;

namespace Cl2.Dicom.Tests.ResultObjects;

/// <summary>The liver-ct shape of result: a liver and a lesion inside it on the test CT series, written once per test class.</summary>
public sealed class SegmentationFixture : IDisposable
{
    public static readonly DateTimeOffset MadeAt = new(2026, 3, 1, 10, 30, 15, TimeSpan.Zero);

    public SegmentationFixture()
    {
        Folder = Directory.CreateTempSubdirectory("cl2-seg-").FullName;
        Series.Save(System.IO.Path.Combine(Folder, "source"));
        Liver = CtSeries.Box(1, 5, 2, 10, 1, 8);
        Lesion = CtSeries.Box(2, 4, 4, 7, 3, 6);
        // One stray voxel on the top slice: frames come only from slices with voxels, per segment.
        Lesion[CtSeries.Index(5, 0, 0)] = 1;
        Masks =
        [
            new SegmentMask(new SegmentDescription(1, "liver", SegmentedProperty.Liver), Liver),
            new SegmentMask(new SegmentDescription(2, "liver lesion", SegmentedProperty.LiverLesion), Lesion),
        ];
        Path = System.IO.Path.Combine(Folder, "seg.dcm");
        SegmentationWriter.Write(Content(Masks)).Save(Path);
    }

    internal CtSeries Series { get; } = new("seg-fixture");

    public string Folder { get; }

    public string Path { get; }

    public byte[] Liver { get; }

    public byte[] Lesion { get; }

    public IReadOnlyList<SegmentMask> Masks { get; }

    internal SegmentationContent Content(IReadOnlyList<SegmentMask> masks, IReadOnlyList<DicomDataset>? sources = null) => new()
    {
        SourceImages = sources ?? Series.Shuffled,
        Segments = masks,
        SopInstanceUid = Coding.NameBasedUid.For("test/seg-fixture/seg"),
        SeriesInstanceUid = Coding.NameBasedUid.For("test/seg-fixture/seg-series"),
        SeriesNumber = 900,
        SeriesDescription = "liver-ct segmentation",
        ContentDateTime = MadeAt,
        AlgorithmName = "liver-ct",
        AlgorithmVersion = "3",
        SoftwareVersions = "cl2 test",
        ContentDescription = "liver and lesions",
    };

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
