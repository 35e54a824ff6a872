using System.Buffers.Binary;
using System.IO.Compression;
using Cl2.Dicom.Imaging;

namespace Cl2.Labeling.Archive;

/// <summary>A rendered frame as PNG (8-bit greyscale or RGB, no filtering): what WADO-RS "rendered" answers.</summary>
internal static class PngEncoder
{
    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        return c;
    }).ToArray();

    public static byte[] Encode(DisplayImage image)
    {
        var colorType = image.Channels switch
        {
            1 => (byte)0,
            3 => (byte)2,
            _ => throw new NotSupportedException($"a rendered image has 1 or 3 channels, not {image.Channels}"),
        };
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, image.Columns);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), image.Rows);
        header[8] = 8;
        header[9] = colorType;
        Chunk(png, "IHDR", header);
        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                var stride = image.Columns * image.Channels;
                for (var row = 0; row < image.Rows; row++)
                {
                    zlib.WriteByte(0); // filter type None
                    zlib.Write(image.Pixels, row * stride, stride);
                }
            }
            Chunk(png, "IDAT", compressed.ToArray());
        }
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        png.Write(number);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        png.Write(typeBytes);
        png.Write(data);
        var crc = 0xFFFFFFFFu;
        foreach (var b in typeBytes.Concat(data))
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }
        BinaryPrimitives.WriteUInt32BigEndian(number, crc ^ 0xFFFFFFFFu);
        png.Write(number);
    }
}
