using Cl2.Dicom;
using Cl2.Dicom.Imaging;

namespace Cl2.Dicom.Tests.Imaging;

public sealed class DisplayPipelineTests
{
    private static async Task AssertRendersLikeDcmtk(string file, DisplayImage ours, int tolerance, params string[] dcmj2pnmOptions)
    {
        var (columns, rows, channels, pixels) = await Dcmj2pnm.RenderAsync(Corpus.File(file), dcmj2pnmOptions);
        Assert.Equal((rows, columns, channels), (ours.Rows, ours.Columns, ours.Channels));
        var worst = pixels.Select((value, i) => Math.Abs(value - ours.Pixels[i])).Max();
        Assert.True(worst <= tolerance, $"{file}: a sample differs by {worst} from dcmj2pnm (tolerance {tolerance})");
    }

    private static (PixelFrame Frame, DicomDataset Dataset) FirstFrame(string file)
    {
        var dicom = DicomFile.Open(Corpus.File(file));
        return (DicomPixelData.From(dicom).DecodeFrame(0), dicom.Dataset);
    }

    // DCMTK rounds the windowed value in floating point its own way; ±1 is one rounding step.
    [Fact]
    public async Task the_window_and_modality_lut_render_a_ct_like_dcmtk()
    {
        var (frame, dataset) = FirstFrame("CT_small.dcm");
        var ours = DisplayPipeline.RenderGrayscale(frame, ModalityLut.From(dataset), new VoiWindow(40, 400));
        await AssertRendersLikeDcmtk("CT_small.dcm", ours, 1, "+Ww", "40", "400");
    }

    [Fact]
    public async Task the_files_own_window_renders_an_mr_like_dcmtk()
    {
        var (frame, dataset) = FirstFrame("MR_small.dcm");
        Assert.Equal(new VoiWindow(600, 1600), VoiWindow.From(dataset));
        await AssertRendersLikeDcmtk("MR_small.dcm", DisplayPipeline.Render(frame, dataset), 1, "+Wi", "1");
    }

    [Fact]
    public async Task native_ybr_full_422_converts_to_the_rgb_dcmtk_shows()
    {
        var (frame, dataset) = FirstFrame("SC_ybr_full_422_uncompressed.dcm");
        Assert.Equal(PhotometricInterpretation.YbrFull422, frame.Format.PhotometricInterpretation);
        await AssertRendersLikeDcmtk("SC_ybr_full_422_uncompressed.dcm", DisplayPipeline.Render(frame, dataset), 1);
    }

    [Fact]
    public async Task rgb_by_plane_from_a_big_endian_file_is_shown_by_pixel_like_dcmtk()
    {
        var (frame, dataset) = FirstFrame("ExplVR_BigEnd.dcm");
        Assert.Equal(1, frame.Format.PlanarConfiguration);
        await AssertRendersLikeDcmtk("ExplVR_BigEnd.dcm", DisplayPipeline.Render(frame, dataset), 0);
    }

    [Fact]
    public void ybr_full_converts_with_the_equations_of_ps3_3()
    {
        Assert.Equal((128, 128, 128), YbrConversion.ToRgb(128, 128, 128));
        // Pure red, green and blue in full-range YCbCr (JFIF), rounded to 8 bits: the round trip loses at most one step.
        Assert.Equal((254, 0, 0), YbrConversion.ToRgb(76, 85, 255));
        Assert.Equal((0, 255, 1), YbrConversion.ToRgb(150, 44, 21));
        Assert.Equal((0, 0, 254), YbrConversion.ToRgb(29, 255, 107));
    }

    [Fact]
    public void the_linear_window_follows_ps3_3_c_11_2_1_2_1()
    {
        var window = new VoiWindow(Center: 40, Width: 400);
        // Below c - 0.5 - (w-1)/2 = -160 the output is the minimum, above c - 0.5 + (w-1)/2 = 239 the maximum.
        Assert.Equal(0, window.Apply(-160));
        Assert.Equal(255, window.Apply(239.5));
        Assert.Equal(127.5, window.Apply(39.5), 6);
        Assert.Equal(((((100 - 39.5) / 399) + 0.5) * 255), window.Apply(100), 9);
        Assert.Throws<PixelDataException>(() => new VoiWindow(0, 0.5).Apply(1));
    }

    [Fact]
    public void monochrome1_is_inverted_and_the_modality_lut_rescales_before_the_window()
    {
        var format = new ImagePixelModule(1, 3, 1, 16, 12, 11, 1, 0, PhotometricInterpretation.Monochrome1);
        // Stored -1000, 0 and 1000 as two's complement in 12 bits within 16-bit words, with overlay junk in bit 15.
        var data = new byte[] { 0x18, 0x8C, 0x00, 0x00, 0xE8, 0x03 };
        var frame = new PixelFrame(format, data);
        Assert.Equal([-1000L, 0L, 1000L], frame.StoredValues());

        var image = DisplayPipeline.RenderGrayscale(frame, new ModalityLut(2, 100), new VoiWindow(100.5, 4001));
        // Rescaled: -1900, 100, 2100; the window spans -1900..2100 (100 maps to 127.5, rounded to even 128), and
        // MONOCHROME1 shows high values dark.
        Assert.Equal(new byte[] { 255, 127, 0 }, image.Pixels);
    }

    [Fact]
    public void palette_color_maps_stored_values_through_the_lut_and_clamps_outside_it()
    {
        var lut = new PaletteColorLut(FirstMappedValue: 10, BitsPerEntry: 16,
            Red: [0, 0x8000, 0xFFFF], Green: [0xFFFF, 0x8000, 0], Blue: [0x1000, 0x2000, 0x3000]);
        var format = new ImagePixelModule(1, 4, 1, 8, 8, 7, 0, 0, PhotometricInterpretation.PaletteColor);
        var rgb = lut.Apply(new PixelFrame(format, [5, 10, 11, 200]));

        Assert.Equal(PhotometricInterpretation.Rgb, rgb.Format.PhotometricInterpretation);
        Assert.Equal(new ushort[] { 0, 0xFFFF, 0x1000, 0, 0xFFFF, 0x1000, 0x8000, 0x8000, 0x2000, 0xFFFF, 0, 0x3000 }, rgb.Samples<ushort>().ToArray());
        Assert.Equal(new byte[] { 0, 255, 16, 0, 255, 16, 128, 128, 32, 255, 0, 48 }, DisplayPipeline.RenderColor(rgb).Pixels);
    }
}
