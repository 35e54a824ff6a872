using Cl2.Labeling.Client;
using Cl2.Models.Checkpoints;
using Cl2.Models.Workloads;

namespace Cl2.Training.Cli;

/// <summary>Where <c>./cl2 model import --register</c> finds labeling and who it is there.</summary>
/// <param name="Labeling">Labeling's API, directly or through the gateway.</param>
/// <param name="AccessToken">A bearer token (<c>./cl2 token --role ml-engineer</c>); null: none is sent.</param>
/// <param name="DevelopmentUser">Sent as labeling's development identity (ml-engineer) when set; read only by a labeling that switched it on.</param>
public sealed record LabelingConnection(Uri Labeling, string? AccessToken, string? DevelopmentUser);

/// <summary>What was registered: the model and its new candidate version.</summary>
public sealed record RegisteredImport(Guid ModelId, bool ModelCreated, ModelVersionInfo Version);

/// <summary>
/// An imported model folder registered through labeling like a trained one: the folder packed as the training worker packs a
/// checkpoint (<see cref="CheckpointArchive"/>), uploaded to the blob store, and registered as a candidate version of the model
/// (made for the workload when labeling has none of that name) whose lineage says it was imported, from which file.
/// </summary>
public static class ModelRegistration
{
    public const string MlEngineerRole = "ml-engineer";

    public static async Task<RegisteredImport> RegisterAsync(string modelFolder, CheckpointManifest manifest, Workload workload, string modelName,
        string description, LabelingConnection connection, CancellationToken cancellationToken)
    {
        var source = manifest.Lineage.ImportedFrom
            ?? throw new InvalidOperationException($"{modelFolder} was not imported (its lineage names no source file); only imported models are registered this way");
        using var http = Client(connection);
        var labeling = new LabelingClient(http);
        var archive = CheckpointArchive.Pack(modelFolder);
        string artifact;
        try
        {
            artifact = await new BlobClient(http).UploadAsync(archive, cancellationToken);
        }
        finally
        {
            File.Delete(archive);
        }
        var modelId = await labeling.ModelIdAsync(modelName, cancellationToken);
        var created = modelId is null;
        modelId ??= await labeling.RegisterModelAsync(modelName, workload.Name, cancellationToken);
        var version = await labeling.RegisterModelVersionAsync(new RegisterModelVersionInput(modelId.Value, [], artifact, null, manifest.Lineage.CodeVersion,
            ImportedFrom: new ModelImportInput(source, description)), cancellationToken);
        return new RegisteredImport(modelId.Value, created, version);
    }

    private static HttpClient Client(LabelingConnection connection)
    {
        var http = new HttpClient { BaseAddress = connection.Labeling, Timeout = TimeSpan.FromMinutes(10) };
        if (connection.AccessToken is { Length: > 0 } token)
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }
        if (connection.DevelopmentUser is { Length: > 0 } user)
        {
            http.DefaultRequestHeaders.Add(LabelingClientOptions.UserHeader, user);
            http.DefaultRequestHeaders.Add(LabelingClientOptions.RolesHeader, MlEngineerRole);
        }
        return http;
    }
}
