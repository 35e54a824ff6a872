using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Cl2.Inference.Ingest;

/// <summary>
/// fsync and fdatasync where .NET has no call for them: a directory cannot be opened as a FileStream (and a new file's
/// name is durable only once its directory is synced), and FileStream.Flush(true) is a full fsync, which also writes
/// the inode's new modification time: for an overwrite of allocated blocks that is a journal commit fdatasync skips.
/// </summary>
internal static partial class Fsync
{
    private const int ReadOnly = 0;
    private const int DirectoryOnly = 0x10000; // O_DIRECTORY on Linux

    public static void Directory(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Windows has no directory handle to flush; NTFS journals the name with the file.
        }
        var descriptor = Open(path, ReadOnly | DirectoryOnly);
        if (descriptor < 0)
        {
            throw new IOException($"cannot open directory {path} to sync it (errno {Marshal.GetLastPInvokeError()})");
        }
        try
        {
            if (FileSync(descriptor) != 0)
            {
                throw new IOException($"fsync of directory {path} failed (errno {Marshal.GetLastPInvokeError()}): the disk may be failing or full");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    /// <summary>fsync: data and all metadata (use after the file's length changed).</summary>
    public static void File(SafeFileHandle file, string path) => Sync(file, path, dataOnly: false);

    /// <summary>fdatasync: data, and metadata only where needed to read it back (not the modification time).</summary>
    public static void Data(SafeFileHandle file, string path) => Sync(file, path, dataOnly: true);

    private static void Sync(SafeFileHandle file, string path, bool dataOnly)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(file);
            return;
        }
        var added = false;
        file.DangerousAddRef(ref added);
        try
        {
            var descriptor = (int)file.DangerousGetHandle();
            if ((dataOnly ? DataSync(descriptor) : FileSync(descriptor)) != 0)
            {
                throw new IOException($"{(dataOnly ? "fdatasync" : "fsync")} of {path} failed (errno {Marshal.GetLastPInvokeError()}): the disk may be failing or full");
            }
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FileSync(int descriptor);

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int DataSync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int descriptor);
}
