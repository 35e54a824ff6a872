using System.Formats.Tar;

namespace Cl2.Models.Checkpoints;

/// <summary>A checkpoint folder travels to and from labeling's blob store as one tar file: the training worker packs what it
/// registers, inference and a resumed job unpack what they fetch.</summary>
public static class CheckpointArchive
{
    public static string Pack(string directory)
    {
        var archive = directory.TrimEnd(Path.DirectorySeparatorChar) + ".tar";
        File.Delete(archive);
        TarFile.CreateFromDirectory(directory, archive, includeBaseDirectory: false);
        return archive;
    }

    /// <summary>Replaces <paramref name="directory"/> with the archive's files.</summary>
    public static void Unpack(string archive, string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
        Directory.CreateDirectory(directory);
        TarFile.ExtractToDirectory(archive, directory, overwriteFiles: true);
    }
}
