using Cl2.Dicom;
using Cl2.Inference.Routing;
using Cl2.Inference.Studies;

namespace Cl2.Inference.Tests.Processing;

public sealed class StudyCompletenessTests
{
    private static readonly DateTimeOffset First = new(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(10);

    [Fact]
    public void a_study_is_not_complete_while_instances_arrive_within_the_quiet_period()
    {
        Assert.Null(StudyCompleteness.Decide(First, First.AddSeconds(5), RequiredSeries.None, Quiet, MaxWait, First.AddSeconds(14)));
    }

    [Fact]
    public void a_study_is_complete_once_quiet_for_the_quiet_period()
    {
        Assert.Equal(CompletenessReason.QuietPeriod, StudyCompleteness.Decide(First, First.AddSeconds(5), RequiredSeries.None, Quiet, MaxWait, First.AddSeconds(15)));
    }

    [Fact]
    public void a_study_with_its_required_series_is_complete_once_quiet()
    {
        Assert.Equal(CompletenessReason.RequiredSeriesPresent, StudyCompleteness.Decide(First, First, RequiredSeries.Present, Quiet, MaxWait, First + Quiet));
    }

    [Fact]
    public void a_study_with_its_required_series_still_waits_while_instances_arrive()
    {
        Assert.Null(StudyCompleteness.Decide(First, First.AddSeconds(5), RequiredSeries.Present, Quiet, MaxWait, First.AddSeconds(14)));
    }

    [Fact]
    public void a_quiet_study_missing_a_required_series_waits_until_the_maximum_wait()
    {
        Assert.Null(StudyCompleteness.Decide(First, First, RequiredSeries.Missing, Quiet, MaxWait, First + MaxWait - TimeSpan.FromSeconds(1)));
        Assert.Equal(CompletenessReason.MaxWait, StudyCompleteness.Decide(First, First, RequiredSeries.Missing, Quiet, MaxWait, First + MaxWait));
    }

    [Fact]
    public void a_brain_study_needs_all_four_mr_sequences_by_the_brain_workloads_own_series_rules()
    {
        SeriesForRouting Mr(string description) => new("1.2." + description.GetHashCode(StringComparison.Ordinal).ToString("x8"), "MR", null,
            [DicomUids.MRImageStorage.Value], description, 20);
        StudyForRouting Study(params SeriesForRouting[] series) => new("1.2.3", "MRI1", "CL2", series);
        var all = new[] { Mr("T1"), Mr("T1 post contrast"), Mr("T2"), Mr("FLAIR") };

        Assert.Equal(RequiredSeries.Present, RequiredSeriesCheck.Of("brain-mri", Study(all)));
        Assert.Equal(RequiredSeries.Missing, RequiredSeriesCheck.Of("brain-mri", Study(all[..3])));
    }

    [Fact]
    public void pass_through_and_unrouted_studies_name_no_required_series()
    {
        var study = new StudyForRouting("1.2.3", "CT1", "CL2", [new SeriesForRouting("1.2.4", "CT", null, [DicomUids.CTImageStorage.Value], "abdomen", 40)]);

        Assert.Equal((RequiredSeries.None, RequiredSeries.None), (RequiredSeriesCheck.Of("pass-through", study), RequiredSeriesCheck.Of(null, study)));
    }

    [Fact]
    public void a_study_that_keeps_trickling_in_is_complete_at_the_maximum_wait()
    {
        var now = First + MaxWait;
        Assert.Equal(CompletenessReason.MaxWait, StudyCompleteness.Decide(First, now.AddSeconds(-1), RequiredSeries.Missing, Quiet, MaxWait, now));
    }

    [Fact]
    public void a_calling_ae_with_its_own_quiet_period_waits_that_long()
    {
        var options = new CompletenessOptions { QuietPeriodByCallingAe = { ["SLOWCT"] = TimeSpan.FromSeconds(60) } };

        Assert.Equal((TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(10)), (options.QuietPeriodFor("SLOWCT "), options.QuietPeriodFor("MRI1")));
    }
}
