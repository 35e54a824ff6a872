using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;

namespace Cl2.Labeling.Models;

/// <summary>
/// Changes of stage are decided against the model version the caller saw; the database's stream version check makes
/// the same promise when two decisions race past the first check.
/// </summary>
public static class ModelConcurrency
{
    public static void Require(Model model, int expectedVersion)
    {
        if (model.Version != expectedVersion)
        {
            throw Conflict(model.Id, expectedVersion, model.Version);
        }
    }

    /// <summary>The version to decide on, and what a caller whose view is stale hears (or that the model does not exist).</summary>
    public static ExpectedVersion<Model> Expected(Guid modelId, int expectedVersion) =>
        new(expectedVersion, current => current is null
            ? DomainException.NotFound(ErrorCodes.ModelNotFound, "Model", modelId)
            : Conflict(modelId, expectedVersion, current.Version));

    private static DomainException Conflict(Guid modelId, long expectedVersion, long currentVersion) =>
        new(ErrorCodes.ModelVersionConflict,
            $"Model {modelId} changed since version {expectedVersion} (it is at {currentVersion}): reload it and decide again.")
        {
            Details = new Dictionary<string, object?> { ["expectedVersion"] = expectedVersion, ["currentVersion"] = currentVersion },
        };
}
