namespace Cl2.Dicom.Imaging;

/// <summary>
/// The attributes of the Image Pixel module (PS3.3 §C.7.6.3) that say how to read Pixel Data (7FE0,0010).
/// PixelRepresentation 1 is two's complement; PlanarConfiguration 1 is colour-by-plane.
/// </summary>
public sealed record ImagePixelModule(
    int Rows,
    int Columns,
    int SamplesPerPixel,
    int BitsAllocated,
    int BitsStored,
    int HighBit,
    int PixelRepresentation,
    int PlanarConfiguration,
    string PhotometricInterpretation,
    int NumberOfFrames = 1)
{
    public bool IsSigned => PixelRepresentation == 1;

    public int PixelCount => Rows * Columns;

    /// <summary>Bytes one frame occupies in native (uncompressed) Pixel Data.</summary>
    /// <remarks>YBR_FULL_422 stores two luminance and one pair of chrominance samples per two pixels (PS3.3 §C.7.6.3.1.2);
    /// 1-bit data is packed without padding between frames (PS3.5 §8.1.1).</remarks>
    public long FrameLength
    {
        get
        {
            var samples = (long)Rows * Columns * SamplesPerPixel;
            if (PhotometricInterpretation == Imaging.PhotometricInterpretation.YbrFull422 && SamplesPerPixel == 3)
            {
                samples = (long)Rows * (Columns + ((Columns + 1) / 2 * 2));
            }
            return BitsAllocated == 1 ? (samples + 7) / 8 : samples * (BitsAllocated / 8);
        }
    }

    /// <summary>Checks the combinations PS3.3 §C.7.6.3.1 allows and that a decoder can honour.</summary>
    public void Validate()
    {
        static void Require(bool condition, string message)
        {
            if (!condition)
            {
                throw new PixelDataException(message);
            }
        }

        Require(Rows > 0 && Columns > 0, $"Rows {Rows} and Columns {Columns} must be positive");
        Require(SamplesPerPixel is 1 or 3 or 4, $"Samples per Pixel {SamplesPerPixel} is not 1, 3 or 4");
        Require(BitsAllocated is 1 or 8 or 16 or 32 or 64, $"Bits Allocated {BitsAllocated} is not 1, 8, 16, 32 or 64");
        Require(BitsStored >= 1 && BitsStored <= BitsAllocated, $"Bits Stored {BitsStored} is not within 1..Bits Allocated ({BitsAllocated})");
        Require(HighBit >= BitsStored - 1 && HighBit < BitsAllocated, $"High Bit {HighBit} does not fit Bits Stored {BitsStored} in Bits Allocated {BitsAllocated}");
        Require(PixelRepresentation is 0 or 1, $"Pixel Representation {PixelRepresentation} is not 0 or 1");
        Require(PlanarConfiguration is 0 or 1, $"Planar Configuration {PlanarConfiguration} is not 0 or 1");
        Require(NumberOfFrames >= 1, $"Number of Frames {NumberOfFrames} must be at least 1");
        // Rows and Columns are US, so a hostile header can declare 65535 x 65535 x 4 samples of 64 bits: refuse what one
        // array cannot hold instead of overflowing a count.
        Require((long)Rows * Columns * SamplesPerPixel <= Array.MaxLength && FrameLength <= Array.MaxLength,
            $"a frame of {Rows} x {Columns} x {SamplesPerPixel} samples at {BitsAllocated} bits exceeds {Array.MaxLength} bytes");
    }
}
