using Cl2.Labeling.Client;
using Cl2.Models;
using Cl2.Models.Checkpoints;
using Cl2.Models.Inference;
using Cl2.Models.Workloads;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Serving;

/// <summary>
/// A production version's model, ready to run. Its checkpoint comes from labeling's blob store by the version's artifact
/// digest (<c>GET blobs/{digest}</c>, the tar the training worker uploaded), streamed to disk with its SHA-256 checked
/// against that digest on the way (<see cref="BlobClient.DownloadAsync"/>), and unpacked (<see cref="CheckpointArchive"/>) under the storage folder (<c>models/{hex}</c>) so a restart does not fetch it again; the loaded
/// runner is kept in memory per version. The compute device is chosen once (<see cref="ComputeDevice.Select"/>).
/// </summary>
public sealed class ModelRunners(IHttpClientFactory http, IOptions<InferenceOptions> inference, IOptions<ModelRunOptions> models, ILogger<ModelRunners> logger)
    : IDisposable
{
    public const string BlobClientName = "labeling-blobs";

    private readonly SemaphoreSlim _loading = new(1, 1);
    private readonly Dictionary<Guid, WorkloadRunner> _byVersion = [];
    private readonly Lazy<ComputeDevice> _device = new(() => ComputeDevice.Select());

    /// <summary>The runner of <paramref name="version"/> for <paramref name="workload"/>.</summary>
    /// <exception cref="WorkloadException">MANIFEST_DOES_NOT_FIT when the version's manifest does not fit the routed
    /// workload; MODEL_UNREADABLE when its checkpoint is not a model folder.</exception>
    /// <exception cref="InvalidDataException">The blob's bytes do not have the version's digest.</exception>
    public async Task<WorkloadRunner> GetAsync(ModelVersionInfo version, Workload workload, CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_byVersion.TryGetValue(version.Id, out var kept))
            {
                if (kept.Workload.Name != workload.Name)
                {
                    // The same version under another rule's workload: checked like a first load.
                    var problems = workload.Check(kept.Manifest);
                    throw new WorkloadException(WorkloadErrorCodes.ManifestDoesNotFit,
                        $"the model does not fit {workload.Name}: {string.Join("; ", problems)}. Use a model trained or imported for {workload.Name}.");
                }
                return kept;
            }
            var folder = await CheckpointFolderAsync(version.ArtifactDigest, cancellationToken);
            var runner = await WorkloadRunner.LoadAsync(workload, folder, _device.Value, cancellationToken);
            runner.SlidingWindow = new SlidingWindowSettings(models.Value.SlidingWindowOverlap, models.Value.SlidingWindowBatchSize);
            _byVersion[version.Id] = runner;
            logger.LogInformation("Version {Number} ({VersionId}) loaded for {Workload} on {Device}", version.Number, version.Id, workload.Name, _device.Value.Description);
            return runner;
        }
        finally
        {
            _loading.Release();
        }
    }

    private async Task<string> CheckpointFolderAsync(string digest, CancellationToken cancellationToken)
    {
        if (!digest.StartsWith("sha256:", StringComparison.Ordinal) || digest.Length != "sha256:".Length + 64 || !digest["sha256:".Length..].All(char.IsAsciiHexDigitLower))
        {
            throw new InvalidDataException($"the version's artifact digest '{digest}' is not a sha256: content address; register the version with the digest labeling's blob store gave its checkpoint");
        }
        var hex = digest["sha256:".Length..];
        var folder = Path.Combine(inference.Value.StoragePath, "models", hex);
        if (Directory.Exists(folder))
        {
            return folder;
        }
        // Streamed to a file and hashed on the way (a large SegResNet is never held in memory), then unpacked beside the final
        // folder and moved in whole, so a crash never leaves half a checkpoint that looks whole.
        var archive = folder + ".tar";
        var partial = folder + ".partial";
        // Before the download: the cleanup below must not hide a fetch failure behind a missing folder.
        Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
        try
        {
            await new BlobClient(http.CreateClient(BlobClientName)).DownloadAsync(digest, archive, cancellationToken);
            CheckpointArchive.Unpack(archive, partial);
        }
        finally
        {
            File.Delete(archive);
        }
        Directory.Move(partial, folder);
        return folder;
    }

    public void Dispose()
    {
        foreach (var runner in _byVersion.Values)
        {
            runner.Dispose();
        }
        _loading.Dispose();
    }
}
