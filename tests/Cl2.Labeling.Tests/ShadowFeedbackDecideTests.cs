using System.Text;
using Cl2.Labeling.Feedback;
using Cl2.Labeling.Labels;
using Cl2.Labeling.Shadow;

namespace Cl2.Labeling.Tests;

/// <summary>Comparing a shadow result with a verdict, without a database.</summary>
public sealed class ShadowFeedbackDecideTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid ProductionResultId = Guid.NewGuid();

    private static ShadowResult Shadow(ShadowFeedback? feedback = null) => new(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), ProductionResultId,
        "2.25.1", [new LabelAgreement("liver", 0.75)], 0.75, "inference", Now, "sha256:00", feedback);

    private static GivenFeedback Verdict(FeedbackVerdict verdict, DateTimeOffset givenAt) =>
        new(Guid.NewGuid(), ProductionResultId, "2.25.1", Guid.NewGuid(), Guid.NewGuid(), verdict, null, null, "rad", givenAt);

    private static ShadowFeedback Compared(GivenFeedback given) => new(given.Id, given.Verdict, given.GivenAt, [], null, null, given.GivenAt);

    private static readonly ShadowAgreementWithFeedback Half = new([new LabelAgreement("liver", 0.5)], null);

    [Fact]
    public void a_first_verdict_is_compared_with_its_mean_agreement()
    {
        var given = Verdict(FeedbackVerdict.Correct, Now);

        var compared = Assert.IsType<ShadowComparedWithFeedback>(Assert.Single(CompareShadowWithFeedback.Decide(Shadow(), given, Half, Now)));

        Assert.Equal((given.Id, FeedbackVerdict.Correct, 0.5), (compared.FeedbackId, compared.Verdict, compared.Agreement));
    }

    [Fact]
    public void a_verdict_compared_already_is_not_compared_again()
    {
        var given = Verdict(FeedbackVerdict.Correct, Now);

        Assert.Empty(CompareShadowWithFeedback.Decide(Shadow(Compared(given)), given, Half, Now));
    }

    [Fact]
    public void a_verdict_older_than_the_one_compared_is_not_recorded()
    {
        var later = Verdict(FeedbackVerdict.Accept, Now);

        Assert.Empty(CompareShadowWithFeedback.Decide(Shadow(Compared(later)), Verdict(FeedbackVerdict.Correct, Now.AddMinutes(-5)), Half, Now));
        Assert.Single(CompareShadowWithFeedback.Decide(Shadow(Compared(later)), Verdict(FeedbackVerdict.Correct, Now.AddMinutes(5)), Half, Now));
    }

    [Fact]
    public void an_acceptance_takes_the_shadows_agreement_with_production()
    {
        var shadow = Shadow();

        var agreement = CompareShadowWithFeedback.AgreementOf(shadow, Verdict(FeedbackVerdict.Accept, Now), null, null, null);

        Assert.Equal(shadow.Labels, agreement.Labels);
    }

    [Fact]
    public void a_rejection_gives_no_agreement()
    {
        var compared = Assert.IsType<ShadowComparedWithFeedback>(Assert.Single(CompareShadowWithFeedback.Decide(Shadow(), Verdict(FeedbackVerdict.Reject, Now),
            CompareShadowWithFeedback.AgreementOf(Shadow(), Verdict(FeedbackVerdict.Reject, Now), null, null, null), Now)));

        Assert.Null(compared.Agreement);
        Assert.Empty(compared.Labels);
    }

    [Fact]
    public void a_classification_agrees_where_the_shadow_decided_as_the_correction()
    {
        static byte[] Label(bool fracture, bool dislocated) => Encoding.UTF8.GetBytes(
            """{"format": "cl2-classification/1", "referencedSeriesInstanceUids": ["2.25.3"], "labels": {"fracture": """
            + (fracture ? "true" : "false") + """, "dislocation": """ + (dislocated ? "true" : "false") + "}}");

        var agreement = LabelBlobAgreement.Of(LabelKind.Classification, Label(fracture: true, dislocated: false), Label(fracture: true, dislocated: true));

        Assert.Equal([new LabelAgreement("dislocation", 0), new LabelAgreement("fracture", 1)], agreement.Labels);
    }

    [Fact]
    public void a_blob_that_is_no_label_leaves_the_correction_unscored_with_the_reason()
    {
        var agreement = LabelBlobAgreement.Of(LabelKind.Segmentation, Encoding.UTF8.GetBytes("not a tar"), Encoding.UTF8.GetBytes("not a tar"));

        Assert.Empty(agreement.Labels);
        Assert.False(string.IsNullOrEmpty(agreement.Unscored));
    }

    [Fact]
    public void dice_counts_the_voxels_each_marks_with_its_own_value_for_the_label()
    {
        byte[] correction = [1, 1, 2, 0];
        byte[] shadow = [3, 0, 3, 0];

        Assert.Equal(2.0 * 1 / (2 + 2), LabelBlobAgreement.Dice(correction, 1, shadow, 3), 6);
        Assert.Equal(1, LabelBlobAgreement.Dice(correction, 0, shadow, 0), 6);
    }
}
