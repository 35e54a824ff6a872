using System.Formats.Tar;
using Cl2.Models.Synthetic;

namespace Cl2.Models.Datasets;

/// <summary>
/// A segmentation label as one blob: a tar holding the two files of a <see cref="LabelVolume"/> — <c>labels.json</c>
/// (shape, spacing, origin, orientation, Frame of Reference, the referenced series in channel order, label names) and
/// <c>labels.u8</c> (one byte per voxel on exactly that series' grid). It is what <c>./cl2 synth</c> writes per case,
/// packed (<c>tar -cf mask.tar labels.json labels.u8</c>), so any tool can make one and <c>tar -xf</c> opens it.
/// </summary>
public static class MaskArchive
{
    /// <summary>Packs a case folder's <c>labels.json</c> and the data file it names into <paramref name="archivePath"/>.</summary>
    public static void Pack(string headerPath, string archivePath)
    {
        var (header, _) = LabelVolume.Read(headerPath);
        using var output = File.Create(archivePath);
        using var writer = new TarWriter(output, TarEntryFormat.Pax);
        writer.WriteEntry(headerPath, LabelVolume.HeaderFileName);
        writer.WriteEntry(Path.Combine(Path.GetDirectoryName(headerPath)!, header.DataFile), header.DataFile);
    }

    /// <summary>Writes <paramref name="header"/> and its voxels as such a tar (a model's output kept as a label: a shadow's mask).</summary>
    public static void Write(Stream output, LabelVolume header, byte[] labels)
    {
        using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, LabelVolume.HeaderFileName)
        {
            DataStream = new MemoryStream(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(header, CohortManifest.Json)),
        });
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, header.DataFile) { DataStream = new MemoryStream(labels) });
    }

    /// <exception cref="InvalidDataException">Not a tar, or without <c>labels.json</c> and the data file it names.</exception>
    public static (LabelVolume Header, byte[] Labels) Read(Stream archive, string source)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        try
        {
            using var reader = new TarReader(archive);
            while (reader.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && entry.DataStream is { } data)
                {
                    using var copy = new MemoryStream();
                    data.CopyTo(copy);
                    files[entry.Name.TrimStart('.', '/')] = copy.ToArray();
                }
            }
        }
        catch (Exception exception) when (exception is FormatException or EndOfStreamException)
        {
            throw new InvalidDataException($"{source} is not a tar of {LabelVolume.HeaderFileName} and {LabelVolume.DataFileName}: {exception.Message}", exception);
        }
        if (!files.TryGetValue(LabelVolume.HeaderFileName, out var json))
        {
            throw new InvalidDataException($"{source} holds no {LabelVolume.HeaderFileName} (it has: {string.Join(", ", files.Keys)}); pack the label volume's header and data with tar");
        }
        return LabelVolume.Parse(System.Text.Encoding.UTF8.GetString(json),
            header => files.TryGetValue(header.DataFile, out var data) ? data
                : throw new InvalidDataException($"{source} holds no {header.DataFile}, the data file its {LabelVolume.HeaderFileName} names"),
            source);
    }
}
