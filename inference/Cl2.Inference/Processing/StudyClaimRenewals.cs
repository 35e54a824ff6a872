using Cl2.Labeling.Client;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Processing;

/// <summary>
/// Keeps a replica's claim of a study (<see cref="StudyClaims"/>) alive while the study is processed: asks labeling again
/// every third of <see cref="ReplicaOptions.LeaseSeconds"/>, which renews the lease of the replica holding it, so a run
/// longer than the lease is not taken over by another replica. Labeling not answering does not stop the run; a claim
/// found lost (another replica holds it now) is logged and no longer renewed.
/// </summary>
public sealed class StudyClaimRenewals(IServiceProvider services, IOptions<ReplicaOptions> options, TimeProvider time, ILogger<StudyClaimRenewals> logger)
{
    /// <summary>Renews the claim of <paramref name="studyInstanceUid"/> until the returned handle is disposed.</summary>
    public IDisposable KeepRenewed(string studyInstanceUid)
    {
        var stop = new CancellationTokenSource();
        _ = RenewAsync(studyInstanceUid, stop.Token);
        return new Renewal(stop);
    }

    private async Task RenewAsync(string studyInstanceUid, CancellationToken stop)
    {
        var settings = options.Value;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(settings.LeaseSeconds) / 3, time, stop);
                // No quiet period: the holder renews what it holds, whatever arrived meanwhile.
                var claim = await services.GetRequiredService<LabelingClient>().ClaimStudyProcessingAsync(
                    new ClaimStudyProcessingInput(studyInstanceUid, settings.ResolvedName, 0, settings.LeaseSeconds), stop);
                if (claim.State == StudyProcessingClaimState.Processed)
                {
                    return; // finished a moment before the renewal stopped
                }
                if (!claim.Granted)
                {
                    logger.LogWarning("Lost the claim of study {StudyInstanceUid} while processing it ({State}, replica {Replica}); its outcome is recorded once, " +
                        "but its objects may be delivered by both replicas", studyInstanceUid, claim.State, claim.Replica);
                    return;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or LabelingApiException or TaskCanceledException or System.Text.Json.JsonException)
            {
                logger.LogWarning("Could not renew the claim of study {StudyInstanceUid} ({Error}); processing on", studyInstanceUid, e.Message);
            }
        }
    }

    private sealed class Renewal(CancellationTokenSource stop) : IDisposable
    {
        public void Dispose()
        {
            stop.Cancel();
            stop.Dispose();
        }
    }
}
