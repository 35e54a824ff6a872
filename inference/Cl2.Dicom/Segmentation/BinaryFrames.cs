namespace Cl2.Dicom.Segmentation;

/// <summary>
/// BINARY segmentation pixel data (PS3.3 §C.8.20.2, PS3.5 §8.1.1 and Annex D): 1 bit per pixel, the first pixel in the
/// least significant bit of the first byte, and frames packed one after another with no padding between them (a frame
/// of rows × columns bits may start mid-byte); the whole value is padded to an even length.
/// </summary>
internal static class BinaryFrames
{
    public static int PackedLength(long frames, int pixelsPerFrame)
    {
        var bytes = checked((frames * pixelsPerFrame + 7) / 8);
        return checked((int)(bytes + (bytes & 1)));
    }

    /// <summary>Sets bit <paramref name="firstBit"/> + i for each non-zero <paramref name="pixels"/>[i].</summary>
    public static void Pack(ReadOnlySpan<byte> pixels, Span<byte> packed, long firstBit)
    {
        for (var i = 0; i < pixels.Length; i++)
        {
            if (pixels[i] != 0)
            {
                var bit = firstBit + i;
                packed[(int)(bit >> 3)] |= (byte)(1 << (int)(bit & 7));
            }
        }
    }

    /// <summary>ORs frame bits starting at <paramref name="firstBit"/> into <paramref name="pixels"/> as 0/1 bytes.</summary>
    public static void Unpack(ReadOnlySpan<byte> packed, long firstBit, Span<byte> pixels)
    {
        for (var i = 0; i < pixels.Length; i++)
        {
            var bit = firstBit + i;
            if (((packed[(int)(bit >> 3)] >> (int)(bit & 7)) & 1) != 0)
            {
                pixels[i] = 1;
            }
        }
    }
}
