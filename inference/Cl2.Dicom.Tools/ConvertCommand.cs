namespace Cl2.Dicom.Tools;

/// <summary>`convert FILE --transfer-syntax UID --out F`: rewrites the file in another uncompressed transfer syntax.</summary>
public sealed class ConvertCommand : IDicomCommand
{
    public string Name => "convert";

    public string Usage => "convert FILE --transfer-syntax UID --out F   (UID: one of " +
        string.Join(", ", DicomTransferSyntax.Uncompressed.Select(s => s.Uid)) + ")";

    public int Run(IReadOnlyList<string> arguments, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var (positional, options) = DicomTool.Parse(arguments, "--transfer-syntax", "--out");
        var input = DicomTool.SingleFile(positional);
        if (!options.TryGetValue("--transfer-syntax", out var uid) || !options.TryGetValue("--out", out var destination))
        {
            throw new UsageException("--transfer-syntax and --out are needed");
        }
        var syntax = DicomTransferSyntax.Uncompressed.FirstOrDefault(s => s.Uid == uid)
            ?? throw new UsageException($"{uid} is not an uncompressed transfer syntax this tool writes");
        var file = DicomFile.Open(input);
        file.Save(destination, syntax);
        output.WriteLine($"wrote {destination} in {syntax.Name}");
        return DicomTool.Success;
    }
}
