using System.Buffers.Binary;
using Cl2.Dicom;

namespace Cl2.Dicom.Tests.DataSets;

public sealed class EncapsulatedPixelDataTests
{
    [Fact]
    public void encapsulated_fragments_stay_in_the_file_and_group_into_frames()
    {
        var file = DicomFile.Open(Corpus.DataFile("test_files/SC_rgb_rle_2frame.dcm"), new DicomReaderOptions { LazyValueThreshold = 16 });

        var pixels = Assert.IsType<DicomFragmentSequence>(file.Dataset.GetElement(DicomTags.PixelData));
        var frames = file.Dataset.GetFrameFragments();

        Assert.Equal(2, frames.Count);
        Assert.All(pixels.Fragments, f => Assert.False(f.IsLoaded));
        Assert.All(frames, f => Assert.Single(f));
    }

    [Fact]
    public void the_basic_offset_table_decides_which_fragments_make_a_frame()
    {
        // Three fragments of 6, 4 and 2 bytes; frame 1 starts at the third item (offsets count item headers of 8 bytes).
        var offsets = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(offsets.AsSpan(4), 8 + 6 + 8 + 4);
        var fragments = new[] { new byte[6], new byte[4], new byte[2] }.Select(b => DicomBuffer.FromBytes(b)).ToArray();
        var pixels = new DicomFragmentSequence(DicomTags.PixelData, DicomVR.OB, DicomBuffer.FromBytes(offsets), fragments);

        var frames = pixels.GetFrameFragments(2);

        Assert.Equal([2, 1], frames.Select(f => f.Count));
        Assert.Same(fragments[2], frames[1][0]);
    }

    [Fact]
    public void the_extended_offset_table_wins_over_an_empty_basic_offset_table()
    {
        var fragments = new[] { new byte[6], new byte[4], new byte[2] }.Select(b => DicomBuffer.FromBytes(b)).ToArray();
        var dataset = new DicomDataset()
            .SetString(DicomTags.NumberOfFrames, "2")
            .SetValues(DicomTags.ExtendedOffsetTable, DicomVR.OV, 0UL, 8UL + 6);
        dataset.Add(new DicomFragmentSequence(DicomTags.PixelData, DicomVR.OB, DicomBuffer.Empty, fragments));

        var frames = dataset.GetFrameFragments();

        Assert.Equal([1, 2], frames.Select(f => f.Count));
    }

    [Fact]
    public void fragments_without_offsets_split_at_jpeg_start_of_image_markers()
    {
        byte[] soi = [0xFF, 0xD8, 0, 0];
        byte[] continuation = [1, 2, 3, 4];
        var fragments = new[] { soi, continuation, soi, soi, continuation }.Select(b => DicomBuffer.FromBytes(b)).ToArray();
        var pixels = new DicomFragmentSequence(DicomTags.PixelData, DicomVR.OB, DicomBuffer.Empty, fragments);

        Assert.Equal([2, 1, 2], pixels.GetFrameFragments(3).Select(f => f.Count));
        Assert.Throws<DicomFormatException>(() => pixels.GetFrameFragments(4));
    }
}
