using System.Text;

namespace Cl2.Dicom.Tests.Imaging;

/// <summary>DCMTK's dcmj2pnm as a display oracle: it renders a frame to 8-bit PGM/PPM through DCMTK's own pipeline.</summary>
internal static class Dcmj2pnm
{
    public static async Task<(int Columns, int Rows, int Channels, byte[] Pixels)> RenderAsync(string path, params string[] options)
    {
        var output = Path.Combine(Path.GetTempPath(), $"cl2-dcmj2pnm-{Guid.NewGuid():N}.pnm");
        try
        {
            (await ProcessRunner.RunAsync("dcmj2pnm", ["+op", .. options, path, output],
                environment: new Dictionary<string, string> { ["TCP_NODELAY"] = "1" })).EnsureSuccess("dcmj2pnm");
            return ReadPnm(await File.ReadAllBytesAsync(output));
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>Binary PGM (P5) or PPM (P6) with a maximum value of 255.</summary>
    private static (int, int, int, byte[]) ReadPnm(byte[] file)
    {
        var position = 0;
        string Token()
        {
            while (char.IsWhiteSpace((char)file[position]) || file[position] == '#')
            {
                if (file[position] == '#')
                {
                    while (file[position] != '\n')
                    {
                        position++;
                    }
                }
                position++;
            }
            var start = position;
            while (!char.IsWhiteSpace((char)file[position]))
            {
                position++;
            }
            return Encoding.ASCII.GetString(file, start, position - start);
        }
        var magic = Token();
        var columns = int.Parse(Token(), System.Globalization.CultureInfo.InvariantCulture);
        var rows = int.Parse(Token(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("255", Token());
        position++;
        var channels = magic == "P6" ? 3 : 1;
        return (columns, rows, channels, file.AsSpan(position, columns * rows * channels).ToArray());
    }
}
