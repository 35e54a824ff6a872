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
        Assert.Null(StudyCompleteness.Decide(First, First.AddSeconds(5), false, Quiet, MaxWait, First.AddSeconds(14)));
    }

    [Fact]
    public void a_study_is_complete_once_quiet_for_the_quiet_period()
    {
        Assert.Equal(CompletenessReason.QuietPeriod, StudyCompleteness.Decide(First, First.AddSeconds(5), false, Quiet, MaxWait, First.AddSeconds(15)));
    }

    [Fact]
    public void a_study_with_its_required_series_is_complete_without_waiting()
    {
        Assert.Equal(CompletenessReason.RequiredSeriesPresent, StudyCompleteness.Decide(First, First, true, Quiet, MaxWait, First));
    }

    [Fact]
    public void a_study_that_keeps_trickling_in_is_complete_at_the_maximum_wait()
    {
        var now = First + MaxWait;
        Assert.Equal(CompletenessReason.MaxWait, StudyCompleteness.Decide(First, now.AddSeconds(-1), false, Quiet, MaxWait, now));
    }

    [Fact]
    public void a_calling_ae_with_its_own_quiet_period_waits_that_long()
    {
        var options = new CompletenessOptions { QuietPeriodByCallingAe = { ["SLOWCT"] = TimeSpan.FromSeconds(60) } };

        Assert.Equal((TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(10)), (options.QuietPeriodFor("SLOWCT "), options.QuietPeriodFor("MRI1")));
    }
}
