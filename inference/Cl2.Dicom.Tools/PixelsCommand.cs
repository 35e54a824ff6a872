using System.Globalization;
using Cl2.Dicom.Imaging;

namespace Cl2.Dicom.Tools;

/// <summary>
/// `pixels FILE --frame N --out F`: writes one decoded frame as raw stored pixel values, little endian, Bits Allocated per
/// sample, colour-by-pixel. Frames count from 1, as Referenced Frame Number does. Prints what was written, so that the
/// raw bytes can be read back (rows, columns, samples, bits, photometric interpretation after decoding).
/// </summary>
public sealed class PixelsCommand : IDicomCommand
{
    public string Name => "pixels";

    public string Usage => "pixels FILE [--frame N] --out F";

    public int Run(IReadOnlyList<string> arguments, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var (positional, options) = DicomTool.Parse(arguments, "--frame", "--out");
        var path = DicomTool.SingleFile(positional);
        var target = options.GetValueOrDefault("--out") ?? throw new UsageException("--out F is needed");
        var frameNumber = 1;
        if (options.TryGetValue("--frame", out var text) &&
            (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out frameNumber) || frameNumber < 1))
        {
            throw new UsageException($"--frame takes a frame number from 1, not '{text}'");
        }
        try
        {
            var pixelData = DicomPixelData.From(DicomFile.Open(path));
            if (frameNumber > pixelData.NumberOfFrames)
            {
                throw new UsageException($"--frame {frameNumber}: the file has {pixelData.NumberOfFrames} frame(s)");
            }
            var frame = pixelData.DecodeFrame(frameNumber - 1);
            File.WriteAllBytes(target, frame.Data.ToArray());
            var f = frame.Format;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"frame {frameNumber} of {pixelData.NumberOfFrames}: {f.Rows} rows x {f.Columns} columns x {f.SamplesPerPixel} samples, " +
                $"{f.BitsAllocated} bits allocated, {f.BitsStored} stored, {(f.IsSigned ? "signed" : "unsigned")}, {f.PhotometricInterpretation}, " +
                $"{frame.Data.Length} bytes -> {target}"));
            return DicomTool.Success;
        }
        catch (PixelDataException exception)
        {
            throw new InvalidOperationException(exception.Message, exception);
        }
    }
}
