namespace Cl2.Dicom.Tools;

/// <summary>`json FILE`: the dataset in the DICOM JSON model (PS3.18 Annex F) on stdout; the meta group is left out, as dcm2json does.</summary>
public sealed class JsonCommand : IDicomCommand
{
    public string Name => "json";

    public string Usage => "json FILE";

    public int Run(IReadOnlyList<string> arguments, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var file = DicomFile.Open(DicomTool.SingleFile(DicomTool.Parse(arguments).Positional));
        output.WriteLine(DicomJsonWriter.Serialize(file.Dataset));
        return DicomTool.Success;
    }
}
