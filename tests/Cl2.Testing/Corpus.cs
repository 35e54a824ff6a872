namespace Cl2.Testing;

/// <summary>pydicom's test files: a real corpus of transfer syntaxes and SOP classes.</summary>
public static class Corpus
{
    public const string Folder = "/usr/lib/python3/dist-packages/pydicom/data/test_files/";

    public static string File(string name) => Path.Combine(Folder, name);

    /// <summary>
    /// A copy of a corpus file as DCMTK itself writes it (dcmconv, trailing padding off). storescu re-encodes what it
    /// reads (it drops Data Set Trailing Padding, for one), so only a file already in that form can be compared byte for
    /// byte with what arrives.
    /// </summary>
    public static async Task<string> DcmtkEncodedCopyAsync(string name, string folder)
    {
        var copy = Path.Combine(folder, name);
        (await Dcmtk.RunAsync("dcmconv", ["-q", "-p", File(name), copy])).EnsureSuccess($"dcmconv {name}");
        return copy;
    }

    /// <summary>The file's data set bytes, meta header aside.</summary>
    public static async Task<byte[]> DataSetBytesAsync(string path)
    {
        var header = await Cl2.Dicom.Network.Client.Part10FileHeader.ReadAsync(path, CancellationToken.None);
        return (await System.IO.File.ReadAllBytesAsync(path))[(int)header.DataSetOffset..];
    }
}
