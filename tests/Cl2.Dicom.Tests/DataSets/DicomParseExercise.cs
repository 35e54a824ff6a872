using Cl2.Dicom;
using Cl2.Dicom.Imaging;

namespace Cl2.Dicom.Tests.DataSets;

/// <summary>What a PACS link does with an untrusted file: read it, serialise it, and reach its pixel data.</summary>
internal static class DicomParseExercise
{
    /// <summary>Returns normally or throws the toolkit's typed exceptions; anything else escaping is a bug.</summary>
    public static void Run(byte[] bytes)
    {
        var file = DicomFile.Open(new MemoryStream(bytes, writable: false));
        _ = DicomJsonWriter.Serialize(file.Dataset);
        if (file.Dataset.Find(DicomTags.PixelData) is null)
        {
            return;
        }
        if (file.Dataset.Find(DicomTags.PixelData) is DicomFragmentSequence)
        {
            _ = file.Dataset.GetFrameFragments();
        }
        _ = DicomPixelData.From(file).DecodeFrame(0);
    }

    public static bool IsTyped(Exception error) => error is DicomFormatException or PixelDataException;
}
