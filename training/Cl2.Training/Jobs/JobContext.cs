using Cl2.Labeling.Client;

namespace Cl2.Training.Jobs;

/// <summary>What a job's record does not carry itself: its model's task, and the weights of the version it starts from.</summary>
public static class JobContext
{
    private const string ModelTaskQuery = "query JobModelTask($id: ID!) { trainingJob(id: $id) { model { task } } }";

    private const string ArtifactQuery = "query VersionArtifact($id: ID!) { modelVersion(id: $id) { artifactDigest } }";

    private const string VersionsQuery = "query JobVersions($id: ID!) { model(id: $id) { versions { id lineage { trainingJobId } } } }";

    /// <summary>The version an earlier attempt of the job registered before it was cut off, if any.</summary>
    public static async Task<Guid?> RegisteredVersionAsync(this LabelingClient labeling, Guid modelId, Guid jobId, CancellationToken cancellationToken) =>
        (await labeling.QueryAsync<ModelData>(VersionsQuery, new { id = modelId }, cancellationToken)).Model?.Versions
            .FirstOrDefault(version => version.Lineage.TrainingJobId == jobId)?.Id;

    public static async Task<string> ModelTaskAsync(this LabelingClient labeling, Guid jobId, CancellationToken cancellationToken) =>
        (await labeling.QueryAsync<JobData>(ModelTaskQuery, new { id = jobId }, cancellationToken)).TrainingJob?.Model.Task
        ?? throw new InvalidOperationException($"Training job {jobId} is not known to labeling.");

    public static async Task<string> ArtifactDigestAsync(this LabelingClient labeling, Guid versionId, CancellationToken cancellationToken) =>
        (await labeling.QueryAsync<VersionData>(ArtifactQuery, new { id = versionId }, cancellationToken)).ModelVersion?.ArtifactDigest
        ?? throw new InvalidOperationException($"Base version {versionId} is not known to labeling.");

    private sealed record JobData(JobModel? TrainingJob);

    private sealed record JobModel(ModelTask Model);

    private sealed record ModelTask(string Task);

    private sealed record ModelData(ModelVersions? Model);

    private sealed record ModelVersions(IReadOnlyList<VersionLineage> Versions);

    private sealed record VersionLineage(Guid Id, Lineage Lineage);

    private sealed record Lineage(Guid? TrainingJobId);

    private sealed record VersionData(VersionArtifact? ModelVersion);

    private sealed record VersionArtifact(string ArtifactDigest);
}
