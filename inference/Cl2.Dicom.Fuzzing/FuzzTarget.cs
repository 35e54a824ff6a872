using Cl2.Dicom.Imaging;

namespace Cl2.Dicom.Fuzzing;

/// <summary>
/// The parse routine under fuzzing, the same one the mutation test in tests/Cl2.Inference.Tests/Dicom runs: read the
/// file, serialise it to JSON and reach its pixel data. The toolkit's typed exceptions are expected answers to bad
/// input and are swallowed; any other exception escapes, and the fuzzer records the input as a crash.
/// </summary>
internal static class FuzzTarget
{
    public static void Run(Stream input)
    {
        // Copying to memory keeps reads deterministic and lets the reader see the whole length up front, like the test.
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        buffer.Position = 0;
        try
        {
            var file = DicomFile.Open(buffer);
            _ = DicomJsonWriter.Serialize(file.Dataset);
            var pixelData = file.Dataset.Find(DicomTags.PixelData);
            if (pixelData is null)
            {
                return;
            }
            if (pixelData is DicomFragmentSequence)
            {
                _ = file.Dataset.GetFrameFragments();
            }
            _ = DicomPixelData.From(file).DecodeFrame(0);
        }
        catch (DicomFormatException)
        {
            // A typed rejection of malformed input is the behaviour we want.
        }
        catch (PixelDataException)
        {
            // Likewise for pixel data that cannot be decoded.
        }
    }
}
