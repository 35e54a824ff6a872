using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Network.Server;

namespace Cl2.Dicom.Tests.Network;

/// <summary>A Part 10 file as a C-GET or C-MOVE sub-operation sends it: the data set past the meta group, in the file's own syntax.</summary>
internal static class FileRetrieveInstance
{
    public static RetrieveInstance From(string path, Part10FileHeader header, string? sopInstanceUid = null) =>
        new(header.MediaStorageSopClassUid, sopInstanceUid ?? header.MediaStorageSopInstanceUid, header.TransferSyntaxUid, () =>
        {
            var file = File.OpenRead(path);
            file.Position = header.DataSetOffset;
            return file;
        });
}
