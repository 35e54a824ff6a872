using Cl2.Labeling.Client;

namespace Cl2.Training.Jobs;

/// <summary>What a job's record does not carry itself: its model's task, and the weights of the version it starts from.</summary>
public static class JobContext
{
    private const string ModelTaskQuery = "query JobModelTask($id: ID!) { trainingJob(id: $id) { model { task } } }";

    private const string ArtifactQuery = "query VersionArtifact($id: ID!) { modelVersion(id: $id) { artifactDigest } }";

    public static async Task<string> ModelTaskAsync(this LabelingClient labeling, Guid jobId, CancellationToken cancellationToken) =>
        (await labeling.QueryAsync<JobData>(ModelTaskQuery, new { id = jobId }, cancellationToken)).TrainingJob?.Model.Task
        ?? throw new InvalidOperationException($"Training job {jobId} is not known to labeling.");

    public static async Task<string> ArtifactDigestAsync(this LabelingClient labeling, Guid versionId, CancellationToken cancellationToken) =>
        (await labeling.QueryAsync<VersionData>(ArtifactQuery, new { id = versionId }, cancellationToken)).ModelVersion?.ArtifactDigest
        ?? throw new InvalidOperationException($"Base version {versionId} is not known to labeling.");

    private sealed record JobData(JobModel? TrainingJob);

    private sealed record JobModel(ModelTask Model);

    private sealed record ModelTask(string Task);

    private sealed record VersionData(VersionArtifact? ModelVersion);

    private sealed record VersionArtifact(string ArtifactDigest);
}
