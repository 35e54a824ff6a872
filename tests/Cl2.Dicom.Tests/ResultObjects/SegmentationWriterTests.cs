using System.Text.Json;
using Cl2.Dicom.Imaging;
using Cl2.Dicom.Segmentation;
using Xunit.Abstractions;

namespace Cl2.Dicom.Tests.ResultObjects;

public sealed class SegmentationWriterTests(SegmentationFixture fixture, ITestOutputHelper output) : IClassFixture<SegmentationFixture>
{
    [Fact]
    public async Task dciodvfy_finds_no_error_in_a_written_segmentation()
    {
        var (errors, warnings, text) = await ResultObjectPeers.DciodvfyAsync(fixture.Path);
        output.WriteLine(text);

        Assert.True(errors.Length == 0, text);
        Assert.Contains("Segmentation", text, StringComparison.Ordinal);
        output.WriteLine($"{warnings.Length} warnings");
    }

    [Fact]
    public async Task dcmdump_reads_a_written_segmentation_without_a_warning()
    {
        var (complaints, text) = await ResultObjectPeers.DcmdumpAsync(fixture.Path);

        Assert.True(complaints.Length == 0, text);
        Assert.Contains("(0062,0002)", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task pydicom_reads_one_frame_per_segment_per_slice_with_voxels_equal_to_the_masks()
    {
        using var json = JsonDocument.Parse(await ResultObjectPeers.PythonAsync(PydicomScripts.ReadFrames, fixture.Path));
        var frames = json.RootElement.GetProperty("frames").EnumerateArray().ToList();

        var expected = new List<(int Segment, int Slice)>();
        foreach (var (mask, number) in new[] { (fixture.Liver, 1), (fixture.Lesion, 2) })
        {
            for (var z = 0; z < CtSeries.Depth; z++)
            {
                if (mask.AsSpan(z * CtSeries.Rows * CtSeries.Columns, CtSeries.Rows * CtSeries.Columns).Contains((byte)1))
                {
                    expected.Add((number, z));
                }
            }
        }
        Assert.Equal(expected.Count, frames.Count);
        for (var f = 0; f < frames.Count; f++)
        {
            var (segment, z) = expected[f];
            var position = frames[f].GetProperty("position").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.Equal(segment, frames[f].GetProperty("segment").GetInt32());
            Assert.Equal([-3.75, -4.5, CtSeries.PositionZ(z)], position);
            var mask = segment == 1 ? fixture.Liver : fixture.Lesion;
            var slice = mask.AsSpan(z * CtSeries.Rows * CtSeries.Columns, CtSeries.Rows * CtSeries.Columns).ToArray();
            Assert.Equal(string.Concat(slice.Select(v => v == 0 ? '0' : '1')), frames[f].GetProperty("pixels").GetString());
        }
    }

    [Fact]
    public void a_written_segmentation_reads_back_as_the_masks_it_was_written_from()
    {
        var read = SegmentationReader.Read(DicomFile.Open(fixture.Path).Dataset, fixture.Series.Shuffled);

        Assert.Equal(2, read.Segments.Count);
        Assert.Equal(fixture.Liver, read.Segments[0].Voxels);
        Assert.Equal(fixture.Lesion, read.Segments[1].Voxels);
        Assert.Equal(fixture.Masks.Select(m => m.Segment), read.Segments.Select(s => s.Description));
        Assert.Equal(("AUTOMATIC", "liver-ct 3"), (read.Segments[0].AlgorithmType, read.Segments[0].AlgorithmName));
    }

    [Fact]
    public void the_segmentation_keeps_the_source_patient_study_and_frame_of_reference()
    {
        var seg = DicomFile.Open(fixture.Path).Dataset;
        var source = fixture.Series.InOrder[0];

        foreach (var tag in new[] { DicomTags.PatientName, DicomTags.PatientID, DicomTags.StudyInstanceUID, DicomTags.FrameOfReferenceUID, DicomTags.AccessionNumber })
        {
            Assert.Equal(source.GetString(tag), seg.GetString(tag));
        }
        Assert.Equal("Müller^Jürgen", seg.GetString(DicomTags.PatientName));
        var referenced = seg.GetSequence(DicomTags.ReferencedSeriesSequence).Items.Single();
        Assert.Equal(fixture.Series.SeriesUid, referenced.GetString(DicomTags.SeriesInstanceUID));
        Assert.Equal(CtSeries.Depth, referenced.GetSequence(DicomTags.ReferencedInstanceSequence).Items.Count);
    }

    [Fact]
    public void each_frame_names_its_source_image_as_source_for_image_processing()
    {
        var seg = DicomFile.Open(fixture.Path).Dataset;
        var first = seg.GetSequence(DicomTags.PerFrameFunctionalGroupsSequence).Items[0];

        var source = first.GetSequence(DicomTags.DerivationImageSequence).Items[0].GetSequence(DicomTags.SourceImageSequence).Items[0];
        Assert.Equal(fixture.Series.SliceUid(1), source.GetString(DicomTags.ReferencedSOPInstanceUID));
        Assert.Equal("121322", source.GetSequence(DicomTags.PurposeOfReferenceCodeSequence).Items[0].GetString(DicomTags.CodeValue));
        Assert.Equal([1u, 2u], first.GetSequence(DicomTags.FrameContentSequence).Items[0].GetValues<uint>(DicomTags.DimensionIndexValues));
    }

    [Fact]
    public async Task a_segmentation_without_any_voxel_is_one_zero_frame_of_segment_one_that_dciodvfy_accepts()
    {
        var empty = new SegmentMask(new SegmentDescription(1, "liver", SegmentedProperty.Liver), new byte[CtSeries.Voxels]);
        var path = Path.Combine(fixture.Folder, "empty.dcm");
        SegmentationWriter.Write(fixture.Content([empty])).Save(path);

        var seg = DicomFile.Open(path).Dataset;
        Assert.Equal(1, seg.GetValue<int>(DicomTags.NumberOfFrames));
        Assert.All(SegmentationReader.Read(seg, fixture.Series.InOrder).Segments.Single().Voxels, v => Assert.Equal(0, v));
        var (errors, _, text) = await ResultObjectPeers.DciodvfyAsync(path);
        Assert.True(errors.Length == 0, text);
    }

    [Fact]
    public void a_mask_that_does_not_fit_the_source_grid_is_refused_with_both_sizes()
    {
        var small = new SegmentMask(new SegmentDescription(1, "liver", SegmentedProperty.Liver), new byte[CtSeries.Voxels - 1]);

        var error = Assert.Throws<SegmentationException>(() => SegmentationWriter.Write(fixture.Content([small])));

        Assert.Equal(SegmentationFailure.MaskSizeMismatch, error.Reason);
        Assert.Contains($"6x12x10 = {CtSeries.Voxels}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void segments_not_numbered_from_one_are_refused()
    {
        var second = new SegmentMask(new SegmentDescription(2, "liver", SegmentedProperty.Liver), fixture.Liver);

        var error = Assert.Throws<SegmentationException>(() => SegmentationWriter.Write(fixture.Content([second])));

        Assert.Equal(SegmentationFailure.InvalidSegments, error.Reason);
    }

    [Fact]
    public void source_images_of_two_series_are_refused()
    {
        var other = new CtSeries("other-series");
        var mixed = fixture.Series.InOrder.Take(3).Concat(other.InOrder.Skip(3)).ToList();

        var error = Assert.Throws<SegmentationException>(() => SegmentationWriter.Write(fixture.Content(fixture.Masks, mixed)));

        Assert.Equal(SegmentationFailure.SourceNotOneSeries, error.Reason);
    }

    [Fact]
    public void source_images_with_a_missing_slice_are_refused_as_no_volume()
    {
        var gap = fixture.Series.InOrder.Where((_, z) => z != 2).ToList();

        var error = Assert.Throws<VolumeAssemblyException>(() => SegmentationWriter.Write(fixture.Content(fixture.Masks, gap)));

        Assert.Equal(VolumeAssemblyFailure.InconsistentSpacing, error.Reason);
    }

    [Fact]
    public void writing_the_same_content_again_gives_the_same_bytes()
    {
        using var first = new MemoryStream();
        using var second = new MemoryStream();

        SegmentationWriter.Write(fixture.Content(fixture.Masks)).Save(first);
        SegmentationWriter.Write(fixture.Content(fixture.Masks, fixture.Series.InOrder)).Save(second);

        Assert.Equal(File.ReadAllBytes(fixture.Path), first.ToArray());
        Assert.Equal(first.ToArray(), second.ToArray());
    }
}
