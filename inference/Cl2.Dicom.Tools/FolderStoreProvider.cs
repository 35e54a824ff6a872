using System.Collections.Concurrent;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Server;

namespace Cl2.Dicom.Tools;

/// <summary>One instance a receiver wrote: who sent it, what it is, where it went.</summary>
internal sealed record ReceivedFile(string CallingAeTitle, string SopClassUid, string SopInstanceUid, string TransferSyntaxUid, string Path, long Bytes);

/// <summary>
/// Writes every received instance as a Part 10 file named by its SOP Instance UID into a folder (as storescp -od does):
/// our meta header, then the data set bytes exactly as they arrived. A temp file is moved into place, so the folder never
/// shows half an instance; Success is answered once the file is complete (not fsync'd: a tool, not an archive).
/// </summary>
internal sealed class FolderStoreProvider(string folder, Action<ReceivedFile>? received = null) : ICStoreProvider
{
    public ConcurrentQueue<ReceivedFile> Received { get; } = new();

    public async ValueTask<DimseStatus> OnCStoreAsync(CStoreRequest request, CancellationToken cancellationToken)
    {
        if (!IsSafeFileName(request.SopInstanceUid))
        {
            return DimseStatus.CannotUnderstand;
        }
        var path = Path.Combine(folder, request.SopInstanceUid + ".dcm");
        var temporary = path + ".part-" + Guid.NewGuid().ToString("N");
        long bytes;
        await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
        {
            DicomFileMetaInformation.Write(file, DicomFileMetaInformation.Create(request.SopClassUid, request.SopInstanceUid, request.TransferSyntaxUid)
                .SetString(DicomTags.SourceApplicationEntityTitle, DicomVR.AE, request.CallingAeTitle));
            await request.DataSet.CopyToAsync(file, cancellationToken);
            bytes = file.Length;
        }
        File.Move(temporary, path, overwrite: true);
        var instance = new ReceivedFile(request.CallingAeTitle, request.SopClassUid, request.SopInstanceUid, request.TransferSyntaxUid, path, bytes);
        Received.Enqueue(instance);
        received?.Invoke(instance);
        return DimseStatus.Success;
    }

    /// <summary>A UID is digits and dots; anything else must not become a path.</summary>
    private static bool IsSafeFileName(string uid) => uid.Length is > 0 and <= 64 && uid.All(c => char.IsAsciiDigit(c) || c == '.') && uid[0] != '.';
}
