using Cl2.Dicom;
using Cl2.Dicom.Imaging;

namespace Cl2.Dicom.Tests.Imaging;

/// <summary>The test files of Debian's python3-pydicom: the real-world corpus the pixel tests are judged on.</summary>
internal static class PydicomCorpus
{
    public const string Root = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static IEnumerable<string> AllFiles() =>
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(Root, path))
            .Order(StringComparer.Ordinal);

    /// <summary>The files our reader opens whose pixel data is encapsulated; the files it rejects are not among them.</summary>
    public static IEnumerable<string> CompressedFiles()
    {
        foreach (var relative in AllFiles())
        {
            DicomFile file;
            try
            {
                file = DicomFile.Open(PathOf(relative));
            }
            catch (DicomFormatException)
            {
                continue;
            }
            if (file.TransferSyntax.IsEncapsulated && file.Dataset.Contains(DicomTags.PixelData))
            {
                yield return relative;
            }
        }
    }

    public static DicomPixelData PixelDataOf(string path) => DicomPixelData.From(DicomFile.Open(path));
}
