using System.Runtime.InteropServices;

namespace Cl2.Inference.Ingest;

/// <summary>fsync of a directory: .NET cannot open one, and a new file's name is durable only once its directory is synced.</summary>
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

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FileSync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int descriptor);
}
