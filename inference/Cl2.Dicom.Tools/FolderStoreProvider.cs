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
            Part10Header.Write(file, request.SopClassUid, request.SopInstanceUid, request.TransferSyntaxUid, request.CallingAeTitle);
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

/// <summary>Preamble, "DICM" and the File Meta Information (PS3.10 7.1) for a data set that arrived over the network.</summary>
internal static class Part10Header
{
    public static void Write(Stream stream, string sopClassUid, string sopInstanceUid, string transferSyntaxUid, string sourceAeTitle)
    {
        var meta = new DicomDataset()
            .SetBytes(DicomTags.FileMetaInformationVersion, DicomVR.OB, new byte[] { 0, 1 })
            .SetUid(DicomTags.MediaStorageSOPClassUID, sopClassUid)
            .SetUid(DicomTags.MediaStorageSOPInstanceUID, sopInstanceUid)
            .SetUid(DicomTags.TransferSyntaxUID, transferSyntaxUid)
            .SetUid(DicomTags.ImplementationClassUID, DicomWriter.ImplementationClassUid)
            .SetString(DicomTags.ImplementationVersionName, DicomVR.SH, DicomWriter.ImplementationVersionName)
            .SetString(DicomTags.SourceApplicationEntityTitle, DicomVR.AE, sourceAeTitle);
        using var body = new MemoryStream();
        DicomWriter.WriteDataset(body, meta, DicomTransferSyntax.ExplicitVRLittleEndian);
        // (0002,0000) UL, length 4: written by hand because WriteDataset leaves group lengths out.
        Span<byte> groupLength = [0x02, 0x00, 0x00, 0x00, (byte)'U', (byte)'L', 0x04, 0x00, 0, 0, 0, 0];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(groupLength[8..], (uint)body.Length);
        stream.Write(new byte[128]);
        stream.Write("DICM"u8);
        stream.Write(groupLength);
        body.Position = 0;
        body.CopyTo(stream);
    }
}
