using Cl2.Dicom;
using Cl2.Dicom.Web;
using Cl2.Inference.Forwarding;
using Cl2.Inference.Ingest;
using Cl2.Labeling.Client;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Processing;

/// <summary>What a replica may do with a study its own store finds complete: process it (with every instance the archive
/// holds), leave it to the replica that processed it, or ask again at <see cref="RetryAt"/>.</summary>
public sealed record StudyClaim(CompleteStudy? Study, bool ProcessedElsewhere, DateTimeOffset? RetryAt, string Why);

/// <summary>
/// Where inference runs as replicas (<see cref="ReplicaOptions.ClaimThroughLabeling"/>), labeling decides which replica
/// processes a study: once every instance this replica holds of it is in the archive (the forwarding ledger says so), the
/// replica asks (<c>claimStudyProcessing</c>); labeling gives the study to one replica once the archive has stored nothing
/// of it for the quiet period. The holder copies the instances other replicas received from the archive (WADO-RS, as
/// stored) into its own store, marked as forwarded, and processes the whole study; after recording the outcome it says so
/// (<c>finishStudyProcessing</c>), and the others, when they ask, hear that it is processed.
/// </summary>
public sealed class StudyClaims(InstanceStore store, ForwardingLedger forwarding, IHttpClientFactory httpClients, IServiceProvider services,
    IOptions<ReplicaOptions> options, IOptions<Studies.CompletenessOptions> completeness, TimeProvider time, ILogger<StudyClaims> logger)
{
    public bool IsOn => options.Value.ClaimThroughLabeling;

    public async Task<StudyClaim> ClaimAsync(CompleteStudy local, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (local.Instances.FirstOrDefault(instance => !forwarding.IsStored(instance.Digest)) is { } unforwarded)
        {
            return new StudyClaim(null, false, now + TimeSpan.FromSeconds(1), $"SOP Instance {unforwarded.SopInstanceUid} is not in the archive yet");
        }
        var settings = options.Value;
        var quiet = completeness.Value.QuietPeriodFor(local.Instances[0].CallingAeTitle);
        var claim = await Labeling().ClaimStudyProcessingAsync(new ClaimStudyProcessingInput(local.StudyInstanceUid, settings.ResolvedName,
            (int)Math.Ceiling(quiet.TotalSeconds), settings.LeaseSeconds), cancellationToken);
        if (!claim.Granted)
        {
            return new StudyClaim(null, claim.State == StudyProcessingClaimState.Processed, claim.RetryAt,
                $"{claim.State} (replica {claim.Replica ?? "none"}, {claim.InstanceCount} instances in the archive)");
        }
        var instances = await WholeStudyAsync(local, cancellationToken);
        if (instances.Count < claim.InstanceCount)
        {
            return new StudyClaim(null, false, now + TimeSpan.FromSeconds(1),
                $"the archive answered {instances.Count} of the {claim.InstanceCount} instances it holds; asking again");
        }
        return new StudyClaim(local with { Instances = instances }, false, null, $"granted at {claim.InstanceCount} instances");
    }

    /// <summary>Tells labeling the study's outcome is recorded at its instance count.</summary>
    public Task FinishAsync(CompleteStudy study, CancellationToken cancellationToken) =>
        Labeling().FinishStudyProcessingAsync(new FinishStudyProcessingInput(study.StudyInstanceUid, options.Value.ResolvedName, study.Instances.Count),
            cancellationToken);

    /// <summary>The study's instances in this replica's store after copying in those the archive holds and it lacks.</summary>
    private async Task<IReadOnlyList<StoredInstance>> WholeStudyAsync(CompleteStudy local, CancellationToken cancellationToken)
    {
        var held = local.Instances.Select(instance => instance.SopInstanceUid).ToHashSet(StringComparer.Ordinal);
        var archive = new DicomWebClient(httpClients.CreateClient(StudyForwarder.DicomWebClient));
        var copied = 0;
        await foreach (var part10 in archive.RetrieveAsync(local.StudyInstanceUid, cancellationToken: cancellationToken))
        {
            var incoming = await IncomingAsync(part10, local.Instances[0].CallingAeTitle, cancellationToken);
            if (held.Contains(incoming.SopInstanceUid))
            {
                continue;
            }
            // In the ledger first: the forwarder must not send the archive what it came from.
            forwarding.MarkStored([incoming.Digest]);
            await store.StoreAsync(incoming, cancellationToken);
            copied++;
        }
        if (copied > 0)
        {
            logger.LogInformation("Copied {Copied} instances of study {StudyInstanceUid} that other replicas received from the archive", copied, local.StudyInstanceUid);
        }
        return [.. store.LatestVersionsOf(local.StudyInstanceUid).OrderBy(instance => instance.ReceivedAt)];
    }

    private static async Task<IncomingInstance> IncomingAsync(byte[] part10, string callingAeTitle, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(part10, writable: false);
        var (meta, dataSetOffset) = await DicomFileMetaInformation.ReadAsync(stream, cancellationToken);
        stream.Position = 0;
        var file = DicomFile.Open(stream);
        return new IncomingInstance(part10, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(part10)), dataSetOffset,
            meta.GetString(DicomTags.MediaStorageSOPClassUID), meta.GetString(DicomTags.MediaStorageSOPInstanceUID), meta.GetString(DicomTags.TransferSyntaxUID),
            callingAeTitle, IndexedAttributes.Extract(file.Dataset));
    }

    private LabelingClient Labeling() => services.GetRequiredService<LabelingClient>();
}
