using System.Buffers.Binary;

namespace Cl2.Dicom.Tests.DataSets;

/// <summary>
/// One reproducible mutated input: everything is derived from <see cref="Seed"/>, so a failure report of the seed alone
/// is enough to rebuild the same bytes with <see cref="Create"/>.
/// </summary>
internal sealed record MutatedInput(int Seed, string File, byte[] Bytes, string Mutations);

/// <summary>Seeded structure-aware mutations of small corpus files.</summary>
internal static class DicomMutator
{
    /// <summary>Small files covering every transfer syntax family, sequences, private tags and encapsulated pixel data.</summary>
    public static readonly string[] Files =
    [
        "test_files/rtplan.dcm", "test_files/rtstruct.dcm", "test_files/test-SR.dcm", "test_files/reportsi.dcm",
        "test_files/MR_small_implicit.dcm", "test_files/MR_small_bigendian.dcm", "test_files/image_dfl.dcm",
        "test_files/no_meta.dcm", "test_files/nested_priv_SQ.dcm", "test_files/UN_sequence.dcm",
        "test_files/SC_rgb_rle_2frame.dcm", "test_files/SC_rgb_jpeg_dcmtk.dcm", "test_files/JPEG2000.dcm",
        "test_files/MR_small_jpeg_ls_lossless.dcm", "test_files/rtdose_1frame.dcm", "charset_files/chrH32.dcm",
        "charset_files/chrX1.dcm", "palettes/hotiron.dcm",
    ];

    private static readonly Lazy<byte[][]> Originals = new(() => Files.Select(f => System.IO.File.ReadAllBytes(Corpus.DataFile(f))).ToArray());

    private static readonly byte[] Interesting = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE];

    private static readonly uint[] Lengths = [0xFFFFFFFF, 0xFFFFFFFE, 0x7FFFFFFF, 0x80000000, 0x00010001, 0xFFFF, 0xFFFE, 0, 1, 3, 7];

    // Item, item delimitation and sequence delimitation tags: inserting them where elements belong exercises the nesting logic.
    private static readonly ushort[] Delimiters = [0xE000, 0xE00D, 0xE0DD];

    public static MutatedInput Create(int seed)
    {
        var random = new Random(seed);
        var which = random.Next(Files.Length);
        var bytes = new List<byte>(Originals.Value[which]);
        var applied = new List<string>();
        for (var count = random.Next(1, 4); count > 0; count--)
        {
            applied.Add(Mutate(random, bytes));
        }
        return new MutatedInput(seed, Files[which], [.. bytes], string.Join("; ", applied));
    }

    private static string Mutate(Random random, List<byte> bytes)
    {
        if (bytes.Count < 16)
        {
            var extra = random.Next(256);
            bytes.Add((byte)extra);
            return $"append 0x{extra:X2}";
        }
        var at = random.Next(bytes.Count);
        switch (random.Next(7))
        {
            case 0:
                var bit = random.Next(8);
                bytes[at] ^= (byte)(1 << bit);
                return $"flip bit {bit} at {at}";
            case 1:
                var value = Interesting[random.Next(Interesting.Length)];
                bytes[at] = value;
                return $"set {at} to 0x{value:X2}";
            case 2:
                return OverwriteLength(random, bytes);
            case 3:
                bytes.RemoveRange(at, bytes.Count - at);
                return $"truncate at {at}";
            case 4:
                var length = Math.Min(random.Next(1, 256), bytes.Count - at);
                var chunk = bytes.GetRange(at, length);
                var to = random.Next(bytes.Count);
                bytes.InsertRange(to, chunk);
                return $"duplicate {length} bytes from {at} to {to}";
            case 5:
                var removed = Math.Min(random.Next(1, 256), bytes.Count - at);
                bytes.RemoveRange(at, removed);
                return $"delete {removed} bytes at {at}";
            default:
                return InsertDelimiters(random, bytes);
        }
    }

    /// <summary>Finds an element header near a random offset (a plausible VR) and overwrites its length field.</summary>
    private static string OverwriteLength(Random random, List<byte> bytes)
    {
        var length = Lengths[random.Next(Lengths.Length)];
        var start = random.Next(bytes.Count);
        for (var i = start; i + 12 <= bytes.Count; i++)
        {
            if (!char.IsAsciiLetterUpper((char)bytes[i + 4]) || !char.IsAsciiLetterUpper((char)bytes[i + 5]))
            {
                continue;
            }
            var longForm = bytes[i + 6] == 0 && bytes[i + 7] == 0;
            Span<byte> field = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(field, length);
            var offset = longForm ? i + 8 : i + 6;
            for (var b = 0; b < (longForm ? 4 : 2); b++)
            {
                bytes[offset + b] = field[b];
            }
            return $"length at {offset} to 0x{length:X8}";
        }
        // No explicit-VR header after the offset (implicit VR or end of file): write the raw 32-bit length there.
        var at = Math.Max(0, Math.Min(start, bytes.Count - 4));
        Span<byte> raw = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(raw, length);
        for (var b = 0; b < 4 && at + b < bytes.Count; b++)
        {
            bytes[at + b] = raw[b];
        }
        return $"raw length at {at} to 0x{length:X8}";
    }

    private static string InsertDelimiters(Random random, List<byte> bytes)
    {
        var at = random.Next(Math.Min(128, bytes.Count), bytes.Count + 1);
        var count = random.Next(1, 40);
        var inserted = new List<byte>();
        Span<byte> header = stackalloc byte[8];
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header, 0xFFFE);
            BinaryPrimitives.WriteUInt16LittleEndian(header[2..], Delimiters[random.Next(Delimiters.Length)]);
            BinaryPrimitives.WriteUInt32LittleEndian(header[4..], random.Next(2) == 0 ? 0xFFFFFFFF : (uint)random.Next(64));
            inserted.AddRange(header);
        }
        bytes.InsertRange(at, inserted);
        return $"insert {count} item/delimiter headers at {at}";
    }
}
