using Cl2.Dicom.Imaging;

namespace Cl2.Dicom.Tests.Imaging;

/// <summary>
/// Damaged compressed frames must give a decoded frame or a <see cref="PixelDataException"/> within a second or so, never
/// another failure or a stall (CharLS 2.4 spent 20–35 s on some truncated JPEG-LS streams before the codec ended them with EOI).
/// </summary>
public sealed class CodecRobustnessTests
{
    [Theory]
    [MemberData(nameof(CompressedCorpusTests.Files), MemberType = typeof(CompressedCorpusTests))]
    public void truncated_or_bit_flipped_frames_decode_or_fail_promptly_with_a_pixel_data_exception(string file)
    {
        var pixelData = Corpus.PixelDataOf(Corpus.File(file));
        var frame = pixelData.GetFrameBytes(0);
        var codec = PixelDataCodecs.Default.Get(pixelData.TransferSyntax.Uid);
        var random = new Random(frame.Length);
        for (var attempt = 0; attempt < 24; attempt++)
        {
            var damaged = attempt < 8
                ? frame[..(frame.Length * attempt / 8)]
                : Flip(frame, random, flips: attempt - 7);
            // A hang guard, not a speed check: a damaged frame decodes in milliseconds alone, seconds at most while the
            // other test projects load both cores; CharLS once spun 20-35 s on truncated streams, which this catches.
            // Over the guard once may be a load spike: the same frame decoded again must stay under it.
            var elapsed = DecodeDamaged(codec, pixelData, damaged);
            if (elapsed >= TimeSpan.FromSeconds(15))
            {
                elapsed = DecodeDamaged(codec, pixelData, damaged);
            }
            Assert.True(elapsed < TimeSpan.FromSeconds(15), $"attempt {attempt} on {file} took {elapsed} twice");
        }
    }

    /// <summary>How long one decode of a damaged frame took; a wrong pixel count fails, a typed failure is an allowed outcome.</summary>
    private static TimeSpan DecodeDamaged(IPixelDataCodec codec, DicomPixelData pixelData, byte[] damaged)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var decoded = codec.Decode(damaged, pixelData.Format);
            Assert.Equal(pixelData.Format.PixelCount, decoded.Format.PixelCount);
        }
        catch (PixelDataException)
        {
            // The outcome a damaged frame may have.
        }
        return clock.Elapsed;
    }

    private static byte[] Flip(byte[] frame, Random random, int flips)
    {
        var copy = (byte[])frame.Clone();
        for (var i = 0; i < flips; i++)
        {
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        }
        return copy;
    }
}
