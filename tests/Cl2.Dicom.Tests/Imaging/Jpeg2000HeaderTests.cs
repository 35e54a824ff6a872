using System.Buffers.Binary;
using Cl2.Dicom.Imaging;
using Cl2.Dicom.Tests.DataSets;

namespace Cl2.Dicom.Tests.Imaging;

/// <summary>
/// A JPEG 2000 frame's declared sizes are checked before OpenJPEG reads its header: OpenJPEG sets up every declared tile
/// while reading it, which took seconds for one corrupt size (mutation seed 20300741 of the fuzz test).
/// </summary>
public sealed class Jpeg2000HeaderTests
{
    private const int SizOffset = 4; // after SOC (2 bytes) and SIZ's marker (2 bytes) come Lsiz, Rsiz, Xsiz, …

    [Fact]
    public void a_frame_whose_siz_declares_other_columns_than_the_dataset_is_refused_before_openjpeg_reads_it()
    {
        // The fuzz input that made OpenJPEG set up 261,124 tiles: one byte of Xsiz set to 0xFF.
        var input = DicomMutator.Create(20_300_741);

        var error = Assert.Throws<PixelDataException>(() => DicomParseExercise.Run(input.Bytes));

        Assert.Contains("JPEG 2000 SIZ declares 16711936x1024 with 1 components but the dataset declares 256x1024", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_frame_whose_siz_declares_more_tiles_than_its_bytes_can_hold_is_refused()
    {
        var (frame, format) = Jpeg2000Frame();
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(SizOffset + 20), 1); // XTsiz
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(SizOffset + 24), 1); // YTsiz

        var error = Assert.Throws<PixelDataException>(() => new Jpeg2000Codec().Decode(frame, format));

        Assert.Contains($"JPEG 2000 SIZ declares {format.Columns * format.Rows} tiles of 1x1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_jp2_file_is_checked_by_the_siz_of_its_codestream_box()
    {
        var (frame, format) = Jpeg2000Frame();
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(SizOffset + 8), (uint)format.Rows + 1); // Ysiz
        byte[] signature = [0, 0, 0, 12, (byte)'j', (byte)'P', (byte)' ', (byte)' ', 0x0D, 0x0A, 0x87, 0x0A];
        byte[] fileType = [0, 0, 0, 20, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'j', (byte)'p', (byte)'2', (byte)' ', 0, 0, 0, 0, (byte)'j', (byte)'p', (byte)'2', (byte)' '];
        var codestreamBox = new byte[8 + frame.Length];
        BinaryPrimitives.WriteUInt32BigEndian(codestreamBox, (uint)codestreamBox.Length);
        "jp2c"u8.CopyTo(codestreamBox.AsSpan(4));
        frame.CopyTo(codestreamBox, 8);

        var error = Assert.Throws<PixelDataException>(() => new Jpeg2000Codec().Decode([.. signature, .. fileType, .. codestreamBox], format));

        Assert.Contains($"JPEG 2000 SIZ declares {format.Columns}x{format.Rows + 1}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void an_intact_frame_passes_the_check_and_decodes()
    {
        var (frame, format) = Jpeg2000Frame();

        var decoded = new Jpeg2000Codec().Decode(frame, format);

        Assert.Equal(format.PixelCount, decoded.Format.PixelCount);
    }

    private static (byte[] Frame, ImagePixelModule Format) Jpeg2000Frame()
    {
        var pixelData = Corpus.PixelDataOf(Corpus.File("JPEG2000.dcm"));
        return (pixelData.GetFrameBytes(0), pixelData.Format);
    }
}
