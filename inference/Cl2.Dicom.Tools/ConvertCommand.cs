using Cl2.Dicom.Imaging;

namespace Cl2.Dicom.Tools;

/// <summary>
/// `convert FILE --transfer-syntax UID --out F`: rewrites the file in an uncompressed transfer syntax or in RLE Lossless.
/// Compressed pixel data is decoded first, so any file whose codec we have can be converted.
/// </summary>
public sealed class ConvertCommand : IDicomCommand
{
    private static readonly DicomTransferSyntax RleLossless = DicomTransferSyntax.Lookup(DicomUids.RLELossless.Value);

    private static IEnumerable<DicomTransferSyntax> Targets => [.. DicomTransferSyntax.Native, RleLossless];

    public string Name => "convert";

    public string Usage => "convert FILE --transfer-syntax UID --out F   (UID: one of " + string.Join(", ", Targets.Select(s => s.Uid)) + ")";

    public int Run(IReadOnlyList<string> arguments, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var (positional, options) = DicomTool.Parse(arguments, "--transfer-syntax", "--out");
        var input = DicomTool.SingleFile(positional);
        if (!options.TryGetValue("--transfer-syntax", out var uid) || !options.TryGetValue("--out", out var destination))
        {
            throw new UsageException("--transfer-syntax and --out are needed");
        }
        var syntax = Targets.FirstOrDefault(s => s.Uid == uid)
            ?? throw new UsageException($"{uid} is not a transfer syntax this tool writes");
        try
        {
            Convert(DicomFile.Open(input), syntax).Save(destination, syntax);
        }
        catch (PixelDataException e)
        {
            throw new InvalidOperationException($"cannot convert the pixel data: {e.Message}", e);
        }
        output.WriteLine($"wrote {destination} in {syntax.Name}");
        return DicomTool.Success;
    }

    private static DicomFile Convert(DicomFile file, DicomTransferSyntax target)
    {
        var hasPixels = file.Dataset.Contains(DicomTags.PixelData);
        if (!hasPixels || file.TransferSyntax.Uid == target.Uid)
        {
            return file;
        }
        var native = file.TransferSyntax.IsEncapsulated
            ? PixelDataTranscoding.Decode(file, DicomTransferSyntax.ExplicitVRLittleEndian)
            : file;
        return target.IsEncapsulated ? PixelDataTranscoding.Encode(native, new RleCodec(), target) : native;
    }
}
