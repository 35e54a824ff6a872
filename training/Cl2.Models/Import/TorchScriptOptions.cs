namespace Cl2.Models.Import;

/// <summary>
/// What the manifest says about a TorchScript model, whose architecture lives in its own file: only the interface
/// that inference and the manifest's checks need.
/// </summary>
public sealed record TorchScriptOptions
{
    public required int InChannels { get; init; }
    public required int OutChannels { get; init; }

    /// <summary>2 for images (radiographs, slices), 3 for volumes.</summary>
    public required int SpatialDims { get; init; }
}
