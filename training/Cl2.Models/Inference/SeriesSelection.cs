using Cl2.Models.Workloads;

namespace Cl2.Models.Inference;

/// <summary>The series chosen for one input channel, and why (for the record of the decision).</summary>
public sealed record SelectedSeries(SeriesRule Rule, SeriesSummary Series, string Reason);

/// <summary>
/// Picks, for each of a workload's input channels in order, the series of a study its rule accepts. Where several fit,
/// the one with the most images wins (a full acquisition over a partial repeat); a tie is refused rather than guessed.
/// Pure: it looks only at the summaries.
/// </summary>
public static class SeriesSelection
{
    /// <exception cref="WorkloadException"><see cref="WorkloadErrorCodes.SeriesNotFound"/> naming every series seen and
    /// why each does not fit, or <see cref="WorkloadErrorCodes.SeriesAmbiguous"/>.</exception>
    public static IReadOnlyList<SelectedSeries> Select(Workload workload, IReadOnlyList<SeriesSummary> study)
    {
        if (study.Count == 0)
        {
            throw new WorkloadException(WorkloadErrorCodes.EmptyStudy, $"the study holds no images; {workload.Name} needs {Needs(workload)}");
        }
        var selected = new List<SelectedSeries>();
        foreach (var rule in workload.Series)
        {
            var fits = study.Where(series => rule.Mismatch(series) is null).OrderByDescending(series => series.Instances).ToList();
            if (fits.Count == 0)
            {
                var seen = string.Join("; ", study.Select(series => $"{series} — {rule.Mismatch(series)}"));
                throw new WorkloadException(WorkloadErrorCodes.SeriesNotFound,
                    $"no {rule.Name} series for {workload.Name}: it looks for {rule}. Series seen: {seen}. " +
                    $"Send the study with its {rule.Name} series, or rename the series so its description says what it is.");
            }
            if (fits.Count > 1 && fits[0].Instances == fits[1].Instances)
            {
                throw new WorkloadException(WorkloadErrorCodes.SeriesAmbiguous,
                    $"{fits.Count} series fit {rule} with {fits[0].Instances} images each: " +
                    $"{string.Join("; ", fits.Select(series => $"{series} {series.SeriesInstanceUid}"))}. Send only the one to use.");
            }
            var reason = fits.Count == 1
                ? $"{fits[0]} is the one series that fits {rule}"
                : $"{fits[0]} has the most images of the {fits.Count} series that fit {rule}";
            selected.Add(new SelectedSeries(rule, fits[0], reason));
        }
        return selected;
    }

    private static string Needs(Workload workload) => string.Join(", ", workload.Series.Select(rule => rule.Name));
}
