using System.Runtime.CompilerServices;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Server;
using Cl2.Inference.Audit;
using Cl2.Inference.Ingest;
using Cl2.ServiceDefaults.Audit;

namespace Cl2.Inference.QueryRetrieve;

/// <summary>C-MOVE and C-GET SCP over what the listener received: every instance under the identifier's keys (latest
/// version), sent in the transfer syntax it arrived in. A malformed identifier throws, which the server answers with
/// Unable to Process (0xC000).</summary>
public sealed class RetrieveScp(InstanceStore store, AuditTrail audit) : ICMoveProvider, ICGetProvider
{
    public IAsyncEnumerable<RetrieveInstance> OnCMoveAsync(CMoveRequest request, CancellationToken cancellationToken) =>
        RetrieveAsync(request.Identifier, request.TransferSyntaxUid, request.SopClassUid,
            DicomAccess.Caller(request.CallingAeTitle, request.RemoteAddress), $"C-MOVE to {request.MoveDestination}", cancellationToken);

    public IAsyncEnumerable<RetrieveInstance> OnCGetAsync(CGetRequest request, CancellationToken cancellationToken) =>
        RetrieveAsync(request.Identifier, request.TransferSyntaxUid, request.SopClassUid,
            DicomAccess.Caller(request.CallingAeTitle, request.RemoteAddress), "C-GET", cancellationToken);

    /// <summary>Every retrieve is recorded as DICOM Instances Transferred with the studies handed to the sender (all of
    /// them, or as far as it got), and a malformed identifier as a refused one.</summary>
    private async IAsyncEnumerable<RetrieveInstance> RetrieveAsync(ReadOnlyMemory<byte> identifier, string transferSyntaxUid, string informationModel,
        AuditRecord caller, string operation, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        QueryIdentifier query;
        try
        {
            query = QueryIdentifier.Parse(identifier, transferSyntaxUid, informationModel);
        }
        catch (Exception e)
        {
            await audit.RecordAsync(DicomAccess.Served(caller, AuditEvents.InstancesTransferred, AuditActions.Read, operation, informationModel, "", [],
                AuditOutcomes.MinorFailure, $"unable to process the identifier: {e.Message}"));
            throw;
        }
        var handed = new List<StoredInstance>();
        var outcome = (AuditOutcomes.MinorFailure, "cancelled or ended before the last instance");
        try
        {
            foreach (var instance in query.Select(store.LatestVersions()).OrderBy(i => i.StudyInstanceUid, StringComparer.Ordinal)
                         .ThenBy(i => i.Attribute("SeriesInstanceUID"), StringComparer.Ordinal).ThenBy(i => i.SopInstanceUid, StringComparer.Ordinal))
            {
                cancellationToken.ThrowIfCancellationRequested();
                handed.Add(instance);
                yield return new RetrieveInstance(instance.SopClassUid, instance.SopInstanceUid, instance.TransferSyntaxUid, () => store.OpenDataSet(instance));
                await Task.Yield();
            }
            outcome = (AuditOutcomes.Success, $"{handed.Count} instances handed to the sender");
        }
        finally
        {
            await audit.RecordAsync(DicomAccess.Served(caller, AuditEvents.InstancesTransferred, AuditActions.Read,
                $"{operation} {query.Level.ToString().ToUpperInvariant()}", informationModel, DicomAccess.Keys(query.DataSet), handed, outcome.Item1, outcome.Item2));
        }
    }
}
