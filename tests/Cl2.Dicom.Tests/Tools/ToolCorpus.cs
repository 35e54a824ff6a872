using System.Security.Cryptography;
using Cl2.Dicom;
using Cl2.Dicom.Network;
using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Tests.Network;

namespace Cl2.Dicom.Tests.Tools;

/// <summary>What of pydicom's corpus a store SCP should receive, and the data set bytes to compare what arrived with.</summary>
internal static class ToolCorpus
{
    /// <summary>Part 10 files of a storage SOP class whose data set a peer can take: an odd-length one is truncated or malformed
    /// (deflated ones excepted: they get their NUL pad, PS3.5 A.5).</summary>
    public static async Task<IReadOnlyList<(string Path, Part10FileHeader Header)>> StorableFilesAsync()
    {
        var storable = new List<(string, Part10FileHeader)>();
        foreach (var path in Directory.EnumerateFiles(Corpus.Folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            Part10FileHeader header;
            try
            {
                header = await Part10FileHeader.ReadAsync(path, CancellationToken.None);
            }
            catch (InvalidDataException)
            {
                continue;
            }
            var odd = (new FileInfo(path).Length - header.DataSetOffset) % 2 == 1;
            if (DicomUids.IsStorageSopClass(header.MediaStorageSopClassUid) && (!odd || IsDeflated(header)))
            {
                storable.Add((path, header));
            }
        }
        return storable;
    }

    /// <summary>The data set as it travels: the file's bytes past the meta group, a deflated odd one with its NUL pad.</summary>
    public static async Task<byte[]> WireBytesAsync(string path)
    {
        var header = await Part10FileHeader.ReadAsync(path, CancellationToken.None);
        var bytes = await Corpus.DataSetBytesAsync(path);
        return IsDeflated(header) && bytes.Length % 2 == 1 ? [.. bytes, 0] : bytes;
    }

    /// <summary>A deflated data set's content (PS3.5 A.5 is raw deflate): a peer that re-deflates changes the bitstream, not the content.</summary>
    public static byte[] Inflate(byte[] deflated)
    {
        using var inflater = new System.IO.Compression.DeflateStream(new MemoryStream(deflated), System.IO.Compression.CompressionMode.Decompress);
        using var content = new MemoryStream();
        inflater.CopyTo(content);
        return content.ToArray();
    }

    public static async Task<bool> IsDeflatedAsync(string path) => IsDeflated(await Part10FileHeader.ReadAsync(path, CancellationToken.None));

    public static string Hash(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));

    /// <summary>Hashes of the data sets of every file in a folder (what a receiver wrote).</summary>
    public static async Task<List<string>> ReceivedHashesAsync(string folder)
    {
        var hashes = new List<string>();
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            hashes.Add(Hash(await Corpus.DataSetBytesAsync(file)));
        }
        return hashes;
    }

    private static bool IsDeflated(Part10FileHeader header) => header.TransferSyntaxUid == DicomTransferSyntax.DeflatedExplicitVRLittleEndian.Uid;
}
