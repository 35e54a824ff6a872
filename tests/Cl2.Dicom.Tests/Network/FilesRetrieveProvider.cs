using System.Runtime.CompilerServices;
using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Server;

namespace Cl2.Dicom.Tests.Network;

/// <summary>Answers every C-GET and C-MOVE with the same Part 10 files, sent from past their meta header.</summary>
internal sealed class FilesRetrieveProvider(IReadOnlyList<string> paths) : ICGetProvider, ICMoveProvider
{
    public List<CGetRequest> GetRequests { get; } = [];

    public List<CMoveRequest> MoveRequests { get; } = [];

    public IAsyncEnumerable<RetrieveInstance> OnCGetAsync(CGetRequest request, CancellationToken cancellationToken)
    {
        GetRequests.Add(request);
        return InstancesAsync(cancellationToken);
    }

    public IAsyncEnumerable<RetrieveInstance> OnCMoveAsync(CMoveRequest request, CancellationToken cancellationToken)
    {
        MoveRequests.Add(request);
        return InstancesAsync(cancellationToken);
    }

    /// <summary>A Part 10 file as a C-GET or C-MOVE sub-operation sends it: the data set past the meta group, in the file's own syntax.</summary>
    public static RetrieveInstance FromFile(string path, Part10FileHeader header, string? sopInstanceUid = null) =>
        new(header.MediaStorageSopClassUid, sopInstanceUid ?? header.MediaStorageSopInstanceUid, header.TransferSyntaxUid, () =>
        {
            var file = File.OpenRead(path);
            file.Position = header.DataSetOffset;
            return file;
        });

    private async IAsyncEnumerable<RetrieveInstance> InstancesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var path in paths)
        {
            yield return FromFile(path, await Part10FileHeader.ReadAsync(path, cancellationToken));
        }
    }
}
