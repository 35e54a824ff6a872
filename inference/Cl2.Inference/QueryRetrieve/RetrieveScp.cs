using System.Runtime.CompilerServices;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Server;
using Cl2.Inference.Ingest;

namespace Cl2.Inference.QueryRetrieve;

/// <summary>C-MOVE and C-GET SCP over what the listener received: every instance under the identifier's keys (latest
/// version), sent in the transfer syntax it arrived in. A malformed identifier throws, which the server answers with
/// Unable to Process (0xC000).</summary>
public sealed class RetrieveScp(InstanceStore store) : ICMoveProvider, ICGetProvider
{
    public IAsyncEnumerable<RetrieveInstance> OnCMoveAsync(CMoveRequest request, CancellationToken cancellationToken) =>
        RetrieveAsync(request.Identifier, request.TransferSyntaxUid, request.SopClassUid, cancellationToken);

    public IAsyncEnumerable<RetrieveInstance> OnCGetAsync(CGetRequest request, CancellationToken cancellationToken) =>
        RetrieveAsync(request.Identifier, request.TransferSyntaxUid, request.SopClassUid, cancellationToken);

    private async IAsyncEnumerable<RetrieveInstance> RetrieveAsync(ReadOnlyMemory<byte> identifier, string transferSyntaxUid, string informationModel,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = QueryIdentifier.Parse(identifier, transferSyntaxUid, informationModel);
        foreach (var instance in query.Select(store.LatestVersions()).OrderBy(i => i.StudyInstanceUid, StringComparer.Ordinal)
                     .ThenBy(i => i.Attribute("SeriesInstanceUID"), StringComparer.Ordinal).ThenBy(i => i.SopInstanceUid, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new RetrieveInstance(instance.SopClassUid, instance.SopInstanceUid, instance.TransferSyntaxUid, () => store.OpenDataSet(instance));
            await Task.Yield();
        }
    }
}
