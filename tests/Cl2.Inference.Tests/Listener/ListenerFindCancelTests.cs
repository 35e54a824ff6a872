using Cl2.Dicom;
using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.UpperLayer;
using Cl2.Inference.QueryRetrieve;
using Microsoft.Extensions.DependencyInjection;

namespace Cl2.Inference.Tests.Listener;

/// <summary>
/// C-CANCEL of the listener's C-FIND. The server cancels the provider's token when a C-CANCEL-RQ arrives and answers
/// Cancel when the provider stops on it (tests/…/Network/CCancelTests); here: the listener's provider does stop, at the
/// next match, and before matching when the cancel came first. Over the network the race with a small store is lost
/// (every response is sent before the cancel arrives), so the provider is driven directly, over instances that really
/// arrived by C-STORE.
/// </summary>
public sealed class ListenerFindCancelTests
{
    [Fact]
    public async Task the_listeners_c_find_stops_at_the_next_match_once_cancelled()
    {
        await using var host = ListenerHost.Start();
        await using (var association = await DicomClientAssociation.OpenAsync("127.0.0.1", host.Port,
            new DicomClientOptions { CallingAeTitle = "STORESCU", CalledAeTitle = "CL2" },
            [new PresentationContext(1, DicomUids.CTImageStorage.Value, [DicomTransferSyntax.ExplicitVRLittleEndian.Uid])], CancellationToken.None))
        {
            foreach (var (uid, dataSet) in NothingAcknowledgedIsLostTests.SmallCtInstances(5))
            {
                Assert.True((await association.StoreAsync(DicomUids.CTImageStorage.Value, uid, DicomTransferSyntax.ExplicitVRLittleEndian.Uid,
                    new MemoryStream(dataSet, writable: false), CancellationToken.None)).IsSuccess);
            }
            await association.ReleaseAsync(CancellationToken.None);
        }
        var query = new DicomDataset();
        query.SetString(DicomTags.QueryRetrieveLevel, "IMAGE");
        query.SetString(DicomTags.SOPInstanceUID, "");
        using var identifier = new MemoryStream();
        DicomWriter.WriteDataset(identifier, query, DicomTransferSyntax.ExplicitVRLittleEndian);
        var request = new CFindRequest("FINDSCU", DicomUids.StudyRootQueryRetrieveInformationModelFind.Value, DicomTransferSyntax.ExplicitVRLittleEndian.Uid, 1, DimsePriority.Medium,
            identifier.ToArray());
        var find = host.Services.GetRequiredService<FindScp>();

        var uncancelled = await MatchesAsync(find, request, cancelAfter: null);
        var cancelledAfterOne = await MatchesAsync(find, request, cancelAfter: 1);
        var cancelledFirst = await MatchesAsync(find, request, cancelAfter: 0);

        Assert.Equal((5, false), uncancelled);
        Assert.Equal((1, true), cancelledAfterOne);
        Assert.Equal((0, true), cancelledFirst);
    }

    /// <summary>Matches the provider yields, cancelling its token after <paramref name="cancelAfter"/> of them; and whether it stopped on the token.</summary>
    private static async Task<(int Matches, bool StoppedByCancel)> MatchesAsync(FindScp find, CFindRequest request, int? cancelAfter)
    {
        using var cancel = new CancellationTokenSource();
        if (cancelAfter == 0)
        {
            await cancel.CancelAsync();
        }
        var matches = 0;
        try
        {
            await foreach (var response in find.OnCFindAsync(request, cancel.Token))
            {
                Assert.Equal(DimseStatus.Pending, response.Status);
                if (++matches == cancelAfter)
                {
                    await cancel.CancelAsync();
                }
            }
            return (matches, false);
        }
        catch (OperationCanceledException)
        {
            return (matches, true);
        }
    }
}
