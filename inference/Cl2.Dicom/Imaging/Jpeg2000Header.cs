using System.Buffers.Binary;

namespace Cl2.Dicom.Imaging;

/// <summary>
/// The image and tile size (SIZ, ISO/IEC 15444-1 §A.5.1) of a JPEG 2000 frame, read before OpenJPEG sees it: OpenJPEG
/// sets up every tile the header declares while it reads the header, so a corrupt size (a 16-million-column image in
/// 256-column tiles in a 250-byte frame) costs seconds of CPU there before any size check of ours could run.
/// </summary>
internal static class Jpeg2000Header
{
    private const ushort StartOfCodestream = 0xFF4F;
    private const ushort ImageAndTileSize = 0xFF51;
    private const uint ContiguousCodestreamBox = 0x6A703263; // 'jp2c'

    /// <summary>Every tile has at least one tile-part (§A.4.2): an SOT marker segment (12 bytes) and an SOD marker (2).</summary>
    private const int SmallestTilePart = 14;

    /// <summary>Refuses a frame whose SIZ contradicts the data set (columns, rows, samples per pixel), subsamples a
    /// component, or declares more tiles than the frame has bytes for.</summary>
    public static void Check(ReadOnlySpan<byte> frame, bool isJp2, ImagePixelModule format)
    {
        var codestream = isJp2 ? Codestream(frame) : frame;
        if (codestream.Length < 6 || BinaryPrimitives.ReadUInt16BigEndian(codestream) != StartOfCodestream
            || BinaryPrimitives.ReadUInt16BigEndian(codestream[2..]) != ImageAndTileSize)
        {
            throw new PixelDataException("JPEG 2000 codestream does not start with SOC and SIZ markers (ISO/IEC 15444-1 §A.4.1)");
        }
        var length = BinaryPrimitives.ReadUInt16BigEndian(codestream[4..]);
        if (length < 41 || codestream.Length < 4 + length)
        {
            throw new PixelDataException($"JPEG 2000 SIZ marker segment of {length} bytes is too short or longer than the frame ({codestream.Length} bytes)");
        }
        var siz = codestream.Slice(6, length - 2);
        var (width, height, x0, y0) = (At(siz, 0), At(siz, 1), At(siz, 2), At(siz, 3));
        var (tileWidth, tileHeight, tileX0, tileY0) = (At(siz, 4), At(siz, 5), At(siz, 6), At(siz, 7));
        var components = BinaryPrimitives.ReadUInt16BigEndian(siz[34..]);
        if (length != 38 + (3 * components) || x0 >= width || y0 >= height || tileWidth == 0 || tileHeight == 0
            || tileX0 > x0 || tileY0 > y0 || (ulong)tileX0 + tileWidth <= x0 || (ulong)tileY0 + tileHeight <= y0)
        {
            throw new PixelDataException($"JPEG 2000 SIZ is inconsistent: {width}x{height} from ({x0},{y0}), tiles {tileWidth}x{tileHeight} from ({tileX0},{tileY0}), {components} components in {length} bytes");
        }
        if (width - x0 != format.Columns || height - y0 != format.Rows || components != format.SamplesPerPixel)
        {
            throw new PixelDataException(
                $"JPEG 2000 SIZ declares {width - x0}x{height - y0} with {components} components but the dataset declares {format.Columns}x{format.Rows} with {format.SamplesPerPixel} samples per pixel");
        }
        for (var c = 0; c < components; c++)
        {
            if (siz[37 + (3 * c)] != 1 || siz[38 + (3 * c)] != 1)
            {
                throw new PixelDataException($"JPEG 2000 component {c} is subsampled, which DICOM does not allow");
            }
        }
        var tiles = (((ulong)width - tileX0 + tileWidth - 1) / tileWidth) * (((ulong)height - tileY0 + tileHeight - 1) / tileHeight);
        var room = (ulong)(codestream.Length - 4 - length);
        if (tiles > room / SmallestTilePart)
        {
            throw new PixelDataException(
                $"JPEG 2000 SIZ declares {tiles} tiles of {tileWidth}x{tileHeight}, more than the {room} bytes after its main header can hold ({SmallestTilePart} bytes per tile at least)");
        }
    }

    /// <summary>The <paramref name="index"/>th 32-bit field after Rsiz: Xsiz, Ysiz, XOsiz, YOsiz, XTsiz, YTsiz, XTOsiz, YTOsiz.</summary>
    private static uint At(ReadOnlySpan<byte> siz, int index) => BinaryPrimitives.ReadUInt32BigEndian(siz[(2 + (4 * index))..]);

    /// <summary>The contents of a JP2 file's Contiguous Codestream box (ISO/IEC 15444-1 §I.5.4), found among the top-level boxes.</summary>
    private static ReadOnlySpan<byte> Codestream(ReadOnlySpan<byte> file)
    {
        var box = file;
        while (box.Length >= 8)
        {
            var (boxLength, type, header) = (BinaryPrimitives.ReadUInt32BigEndian(box), BinaryPrimitives.ReadUInt32BigEndian(box[4..]), 8);
            var size = boxLength switch
            {
                0 => box.Length, // the last box: it runs to the end
                1 when box.Length >= 16 => (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(box[8..]), long.MaxValue),
                _ => boxLength,
            };
            header = boxLength == 1 ? 16 : header;
            if (size < header || header > box.Length)
            {
                break;
            }
            if (type == ContiguousCodestreamBox)
            {
                return box[header..(int)Math.Min(size, box.Length)];
            }
            if (size >= box.Length)
            {
                break;
            }
            box = box[(int)size..];
        }
        throw new PixelDataException("JP2 file has no contiguous codestream box (jp2c) within the frame");
    }
}
