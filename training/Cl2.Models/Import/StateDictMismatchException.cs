namespace Cl2.Models.Import;

/// <summary>
/// A PyTorch state dict does not fit the network it was loaded into. Nothing was copied. The lists name every problem
/// at once, so a wrong architecture or hyper-parameter shows in one go rather than key by key.
/// </summary>
public sealed class StateDictMismatchException(
    string source,
    IReadOnlyList<string> missingKeys,
    IReadOnlyList<string> unexpectedKeys,
    IReadOnlyList<StateDictShapeMismatch> shapeMismatches)
    : Exception(Describe(source, missingKeys, unexpectedKeys, shapeMismatches))
{
    /// <summary>Entries the network has and the state dict lacks.</summary>
    public IReadOnlyList<string> MissingKeys { get; } = missingKeys;

    /// <summary>Entries the state dict has and the network lacks.</summary>
    public IReadOnlyList<string> UnexpectedKeys { get; } = unexpectedKeys;

    public IReadOnlyList<StateDictShapeMismatch> ShapeMismatches { get; } = shapeMismatches;

    private static string Describe(string source, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected,
        IReadOnlyList<StateDictShapeMismatch> shapes)
    {
        const int listed = 10;
        static string List(IEnumerable<string> items, int count) =>
            string.Join(", ", items.Take(listed)) + (count > listed ? $" … and {count - listed} more" : "");
        var parts = new List<string>();
        if (missing.Count > 0)
        {
            parts.Add($"{missing.Count} missing key(s): {List(missing, missing.Count)}");
        }
        if (unexpected.Count > 0)
        {
            parts.Add($"{unexpected.Count} unexpected key(s): {List(unexpected, unexpected.Count)}");
        }
        if (shapes.Count > 0)
        {
            parts.Add($"{shapes.Count} shape mismatch(es): {List(shapes.Select(s => s.ToString()), shapes.Count)}");
        }
        return $"The state dict '{source}' does not fit the network: {string.Join("; ", parts)}. " +
            "Check the architecture's hyper-parameters against the model's training code (channels, classes, blocks), " +
            "and that the file holds model.state_dict() rather than a training checkpoint wrapping it.";
    }
}

/// <param name="Key">The state-dict entry.</param>
/// <param name="Expected">Its shape in the network.</param>
/// <param name="Actual">Its shape in the state dict.</param>
public sealed record StateDictShapeMismatch(string Key, IReadOnlyList<long> Expected, IReadOnlyList<long> Actual)
{
    public override string ToString() => $"{Key} is [{string.Join(',', Actual)}], the network needs [{string.Join(',', Expected)}]";
}
