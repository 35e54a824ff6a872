namespace Cl2.Models.Datasets;

/// <summary>One case of a data set: its cache key (<see cref="CasePreparation.Key"/>) and how to prepare it when the
/// cache does not hold it (read from the archive or the files, then <see cref="CasePreparation.Prepare"/>).</summary>
public sealed record CaseSource(string Key, Func<PreparedCase> Prepare);
