using Cl2.Dicom.Segmentation;

namespace Cl2.Dicom.Tests.ResultObjects;

public sealed class SegmentationReaderTests(SegmentationFixture fixture) : IClassFixture<SegmentationFixture>
{
    private DicomDataset Written() => DicomFile.Open(fixture.Path).Dataset;

    [Fact]
    public async Task a_fractional_segmentation_written_by_pydicom_reads_by_position_with_the_threshold()
    {
        var sources = Directory.GetFiles(Path.Combine(fixture.Folder, "source"));
        var path = Path.Combine(fixture.Folder, "pydicom-fractional.dcm");
        await ResultObjectPeers.PythonAsync(PydicomScripts.WriteFractional, [path, .. sources]);

        var read = SegmentationReader.Read(DicomFile.Open(path).Dataset, fixture.Series.Shuffled);

        var segment = read.Segments.Single();
        Assert.Equal("lesion (other tool)", segment.Description.Label);
        Assert.Equal("MANUAL", segment.AlgorithmType);
        Assert.Equal(CtSeries.Box(2, 4, 4, 7, 3, 6), segment.Voxels);
    }

    [Fact]
    public async Task a_lower_fractional_threshold_takes_in_the_rim()
    {
        // Read at 0.3, the rim's 100/255 counts too.
        var path = Path.Combine(fixture.Folder, "pydicom-fractional-low.dcm");
        await ResultObjectPeers.PythonAsync(PydicomScripts.WriteFractional, [path, .. Directory.GetFiles(Path.Combine(fixture.Folder, "source"))]);

        var read = SegmentationReader.Read(DicomFile.Open(path).Dataset, fixture.Series.InOrder, fractionalThreshold: 0.3);

        Assert.Equal(CtSeries.Box(2, 4, 3, 8, 2, 7), read.Segments.Single().Voxels);
    }

    [Fact]
    public void a_segmentation_without_a_segment_sequence_is_refused()
    {
        var seg = Written();
        seg.Remove(DicomTags.SegmentSequence);

        var error = Assert.Throws<SegmentationException>(() => SegmentationReader.Read(seg, fixture.Series.InOrder));

        Assert.Equal(SegmentationFailure.MissingSegmentSequence, error.Reason);
    }

    [Fact]
    public void a_frame_count_that_disagrees_with_the_functional_groups_is_refused()
    {
        var seg = Written();
        seg.SetValues(DicomTags.NumberOfFrames, seg.GetValue<int>(DicomTags.NumberOfFrames) - 1);

        var error = Assert.Throws<SegmentationException>(() => SegmentationReader.Read(seg, fixture.Series.InOrder));

        Assert.Equal(SegmentationFailure.FrameCountMismatch, error.Reason);
    }

    [Fact]
    public void pixel_data_shorter_than_its_frames_is_refused()
    {
        var seg = Written();
        seg.SetBytes(DicomTags.PixelData, DicomVR.OB, new byte[4]);

        var error = Assert.Throws<SegmentationException>(() => SegmentationReader.Read(seg, fixture.Series.InOrder));

        Assert.Equal(SegmentationFailure.FrameCountMismatch, error.Reason);
    }

    [Fact]
    public void a_frame_of_an_undefined_segment_is_refused()
    {
        var seg = Written();
        var segments = seg.GetSequence(DicomTags.SegmentSequence);
        seg.Add(new DicomSequence(DicomTags.SegmentSequence, [segments.Items[0]]));

        var error = Assert.Throws<SegmentationException>(() => SegmentationReader.Read(seg, fixture.Series.InOrder));

        Assert.Equal(SegmentationFailure.UnknownSegment, error.Reason);
    }

    [Fact]
    public void a_frame_placed_between_source_slices_is_refused()
    {
        var seg = Written();
        var frame = seg.GetSequence(DicomTags.PerFrameFunctionalGroupsSequence).Items[0];
        frame.Remove(DicomTags.DerivationImageSequence);
        frame.GetSequence(DicomTags.PlanePositionSequence).Items[0].SetValues(DicomTags.ImagePositionPatient, -3.75, -4.5, CtSeries.PositionZ(1) + 1.2);

        var error = Assert.Throws<SegmentationException>(() => SegmentationReader.Read(seg, fixture.Series.InOrder));

        Assert.Equal(SegmentationFailure.FrameOutsideSourceGrid, error.Reason);
    }

    [Fact]
    public void a_segmentation_of_another_size_is_refused()
    {
        var seg = Written();
        seg.SetValues(DicomTags.Columns, (ushort)(CtSeries.Columns + 1));

        var error = Assert.Throws<SegmentationException>(() => SegmentationReader.Read(seg, fixture.Series.InOrder));

        Assert.Equal(SegmentationFailure.GridMismatch, error.Reason);
    }

    [Fact]
    public void an_object_that_is_not_a_segmentation_is_refused()
    {
        var error = Assert.Throws<SegmentationException>(() => SegmentationReader.Read(fixture.Series.InOrder[0], fixture.Series.InOrder));

        Assert.Equal(SegmentationFailure.NotASegmentation, error.Reason);
    }
}
