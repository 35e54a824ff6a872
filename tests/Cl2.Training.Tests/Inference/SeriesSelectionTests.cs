using Cl2.Dicom;
using Cl2.Models.Inference;
using Cl2.Models.Workloads;

namespace Cl2.Training.Tests.Inference;

public sealed class SeriesSelectionTests
{
    private static readonly string Mr = DicomUids.MRImageStorage.Value;
    private static readonly string Ct = DicomUids.CTImageStorage.Value;

    [Fact]
    public void the_brain_rules_take_each_sequence_from_its_own_series()
    {
        SeriesSummary[] study =
        [
            new("1.1", "MR", Mr, "AX T1 SE", 1, 24), new("1.2", "MR", Mr, "AX T1 SE +C", 2, 24),
            new("1.3", "MR", Mr, "AX T2 FSE", 3, 24), new("1.4", "MR", Mr, "AX T2 FLAIR", 4, 24),
            new("1.5", "MR", Mr, "T1 MPRAGE post GD", 5, 20), new("1.6", "MR", Mr, "LOCALIZER", 6, 3),
        ];
        var selected = SeriesSelection.Select(WorkloadRegistry.Get("brain-mri"), study);
        Assert.Equal(["T1", "T1c", "T2", "FLAIR"], selected.Select(s => s.Rule.Name));
        Assert.Equal("1.1", selected[0].Series.SeriesInstanceUid);
        Assert.Equal("1.2", selected[1].Series.SeriesInstanceUid);
        Assert.Equal("1.4", selected[3].Series.SeriesInstanceUid);
    }

    [Fact]
    public void two_equally_large_candidates_for_one_sequence_are_refused_as_ambiguous()
    {
        SeriesSummary[] study =
        [
            new("1.1", "MR", Mr, "AX T1", 1, 24), new("1.2", "MR", Mr, "AX T1 SE +C", 2, 24),
            new("1.5", "MR", Mr, "T1 MPRAGE post GD", 5, 24),
            new("1.3", "MR", Mr, "AX T2 FSE", 3, 24), new("1.4", "MR", Mr, "AX T2 FLAIR", 4, 24),
        ];
        var refused = Assert.Throws<WorkloadException>(() => SeriesSelection.Select(WorkloadRegistry.Get("brain-mri"), study));
        Assert.Equal(WorkloadErrorCodes.SeriesAmbiguous, refused.Code);
        Assert.Contains("1.2", refused.Message);
        Assert.Contains("1.5", refused.Message);
    }

    [Fact]
    public void of_several_ct_series_the_one_with_most_images_is_taken_and_the_scout_never()
    {
        SeriesSummary[] study =
        [
            new("2.1", "CT", Ct, "TOPOGRAM", 1, 400), new("2.2", "CT", Ct, "ABDOMEN 5.0", 2, 60), new("2.3", "CT", Ct, "ABDOMEN 1.0", 3, 300),
        ];
        var selected = Assert.Single(SeriesSelection.Select(WorkloadRegistry.Get("liver-ct"), study));
        Assert.Equal("2.3", selected.Series.SeriesInstanceUid);
        Assert.Contains("has the most images of the 2 series", selected.Reason);
    }

    [Fact]
    public void a_ct_study_is_refused_for_the_hip_workload_saying_why_each_series_does_not_fit()
    {
        SeriesSummary[] study = [new("2.2", "CT", Ct, "ABDOMEN 5.0", 2, 60)];
        var refused = Assert.Throws<WorkloadException>(() => SeriesSelection.Select(WorkloadRegistry.Get("hip-xray"), study));
        Assert.Equal(WorkloadErrorCodes.SeriesNotFound, refused.Code);
        Assert.Contains("'ABDOMEN 5.0' (CT, 60 images) — modality CT, not DX or CR", refused.Message);
    }
}
