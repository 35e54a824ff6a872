using Cl2.Inference.Routing;
using Cl2.Models.Workloads;

namespace Cl2.Inference.Studies;

/// <summary>Whether a study holds every series its routed workload needs.</summary>
public enum RequiredSeries
{
    /// <summary>The routed workload names no series (pass-through), or no rule routes the study.</summary>
    None,
    /// <summary>Each of the workload's series rules fits a series of the study (a brain study's four MR sequences).</summary>
    Present,
    /// <summary>At least one of the workload's series is not there yet.</summary>
    Missing,
}

/// <summary>The required-series rule of completeness, fed by the routed workload's own series rules (the ones the runner
/// selects its input series by), on what the store's index knows of each series. Pure.</summary>
public static class RequiredSeriesCheck
{
    public static RequiredSeries Of(string? workloadName, StudyForRouting study)
    {
        if (WorkloadRegistry.All.FirstOrDefault(workload => workload.Name == workloadName) is not { } routed)
        {
            return RequiredSeries.None;
        }
        // A series of several SOP classes fits when any of them does, as the runner reads each instance's own class.
        var series = study.Series.SelectMany(seen => (seen.SopClassUids.Count == 0 ? [""] : seen.SopClassUids).Select(sopClass =>
            new SeriesSummary(seen.SeriesInstanceUid, seen.Modality ?? "", sopClass, seen.SeriesDescription ?? "", null, seen.InstanceCount))).ToList();
        return routed.Series.All(rule => series.Any(candidate => rule.Mismatch(candidate) is null)) ? RequiredSeries.Present : RequiredSeries.Missing;
    }
}
