using System.Globalization;
using System.Text;

namespace Cl2.Dicom.Tools;

/// <summary>`dump FILE`: one line per element in the style of DCMTK's dcmdump (tag, VR, value, length, VM, keyword).</summary>
public sealed class DumpCommand : IDicomCommand
{
    private const int MaxShownValue = 64;

    public string Name => "dump";

    public string Usage => "dump FILE";

    public int Run(IReadOnlyList<string> arguments, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Write(output, DicomFile.Open(DicomTool.SingleFile(DicomTool.Parse(arguments).Positional)));
        return DicomTool.Success;
    }

    /// <summary>Writes the dump of an opened file (the benchmark opens files with its own reader options).</summary>
    public static void Write(TextWriter output, DicomFile file)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(file);
        if (file.HasFileMetaInformation)
        {
            output.WriteLine("# Dicom-File-Format\n\n# Dicom-Meta-Information-Header\n# Used TransferSyntax: Little Endian Explicit");
            Dump(output, file.FileMetaInformation, 0);
            output.WriteLine();
        }
        output.WriteLine($"# Dicom-Data-Set\n# Used TransferSyntax: {file.TransferSyntax.Name}");
        Dump(output, file.Dataset, 0);
    }

    /// <summary>Dumps a bare data set (a C-FIND match, say).</summary>
    public static void WriteDataset(TextWriter output, DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(dataset);
        Dump(output, dataset, 0);
    }

    private static void Dump(TextWriter output, DicomDataset dataset, int depth)
    {
        var indent = new string(' ', depth * 2);
        foreach (var element in dataset)
        {
            var keyword = DicomDictionary.KeywordOf(element.Tag, dataset.GetPrivateCreator(element.Tag));
            switch (element)
            {
                case DicomSequence sequence:
                    output.WriteLine(Line(indent, element, "(Sequence with explicit length #=" + sequence.Items.Count + ")", "u/l", 1, keyword));
                    foreach (var item in sequence.Items)
                    {
                        output.WriteLine($"{indent}  (fffe,e000) na (Item with explicit length #={item.Count})");
                        Dump(output, item, depth + 2);
                        output.WriteLine($"{indent}  (fffe,e00d) na (ItemDelimitationItem for re-encoding)");
                    }
                    output.WriteLine($"{indent}(fffe,e0dd) na (SequenceDelimitationItem for re-encod.)");
                    break;
                case DicomFragmentSequence fragments:
                    output.WriteLine(Line(indent, element, "(PixelSequence #=" + (fragments.Fragments.Count + 1) + ")", "u/l", 1, keyword));
                    output.WriteLine($"{indent}  (fffe,e000) pi (offset table, {fragments.BasicOffsetTable.Length} bytes)");
                    foreach (var fragment in fragments.Fragments)
                    {
                        output.WriteLine($"{indent}  (fffe,e000) pi (fragment, {fragment.Length} bytes)");
                    }
                    output.WriteLine($"{indent}(fffe,e0dd) na (SequenceDelimitationItem)");
                    break;
                case DicomValueElement value:
                    var (text, multiplicity) = Describe(dataset, value);
                    output.WriteLine(Line(indent, element, text, value.Length.ToString(CultureInfo.InvariantCulture), multiplicity, keyword));
                    break;
            }
        }
    }

    private static (string Text, int Multiplicity) Describe(DicomDataset dataset, DicomValueElement value)
    {
        if (value.Length == 0)
        {
            return ("(no value available)", 0);
        }
        if (!value.Buffer.IsLoaded || (!value.VR.IsText && value.VR.Code[0] == 'O') || value.VR == DicomVR.UN)
        {
            var shown = (int)Math.Min(value.Length, 16);
            var bytes = new byte[shown];
            value.Buffer.Read(0, bytes);
            var hex = string.Join('\\', bytes.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
            return (value.Length > shown ? hex + "..." : hex, 1);
        }
        var values = dataset.GetValues<string>(value.Tag);
        var text = value.VR.IsText ? "[" + string.Join('\\', values) + "]" : string.Join('\\', values);
        return (Shorten(text), Math.Max(1, values.Length));
    }

    private static string Shorten(string text)
    {
        var single = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            single.Append(char.IsControl(c) ? '.' : c);
        }
        return single.Length > MaxShownValue ? single.ToString(0, MaxShownValue - 3) + "..." : single.ToString();
    }

    private static string Line(string indent, DicomElement element, string value, string length, int multiplicity, string keyword) =>
        $"{indent}({element.Tag.Group:x4},{element.Tag.Element:x4}) {element.VR.Code} {value,-40} # {length,4},{multiplicity,2} {keyword}";
}
