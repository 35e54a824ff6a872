namespace Cl2.Labeling.Tests.Archive;

/// <summary>
/// Python's zlib and CRC-32 as an independent reader of the PNGs the archive renders: every chunk's CRC must hold and
/// the image data must inflate to exactly one filter byte plus one row of pixels per row.
/// </summary>
internal static class PngOracle
{
    private const string Script = """
        import sys, struct, zlib
        data = open(sys.argv[1], 'rb').read()
        assert data[:8] == b'\x89PNG\r\n\x1a\n', 'signature'
        pos, idat, header = 8, b'', None
        while pos < len(data):
            length, kind = struct.unpack('>I4s', data[pos:pos + 8])
            body = data[pos + 8:pos + 8 + length]
            crc, = struct.unpack('>I', data[pos + 8 + length:pos + 12 + length])
            assert zlib.crc32(kind + body) & 0xffffffff == crc, 'crc of ' + kind.decode()
            if kind == b'IHDR': header = struct.unpack('>IIBBBBB', body)
            if kind == b'IDAT': idat += body
            pos += 12 + length
        width, height, depth, color = header[:4]
        channels = {0: 1, 2: 3}[color]
        assert len(zlib.decompress(idat)) == height * (1 + width * channels * depth // 8), 'image data length'
        print(f"{width}x{height} {'gray' if channels == 1 else 'rgb'}")
        """;

    public static async Task<string> DescribeAsync(byte[] png)
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, png);
            var result = await ProcessRunner.RunAsync("/usr/bin/python3", ["-c", Script, path]);
            return result.EnsureSuccess("python3 reading the rendered PNG").Output.Trim();
        }
        finally
        {
            File.Delete(path);
        }
    }
}
