using Cl2.Models.Workloads;
using Cl2.ServiceDefaults;
using Cl2.Training.Datasets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cl2.Training.Tests.Datasets;

/// <summary>How the worker weighs a study whose result a radiologist accepted (Training:Feedback:AcceptedLabelWeight).</summary>
public sealed class AcceptedResultWeightTests
{
    private static readonly LabelledCase Annotated = new(Guid.NewGuid(), "1.2.3", DatasetPart.Train,
        new CaseRevision(Guid.NewGuid(), 1, "SEGMENTATION", "sha256:" + new string('a', 64)), null);

    private static readonly LabelledCase Accepted = new(Guid.NewGuid(), "1.2.4", DatasetPart.Train,
        new CaseRevision(Guid.NewGuid(), 0, "ACCEPTED", "accepted 1.2.4.9", ["1.2.4.9"]), null, FeedbackId: Guid.NewGuid());

    [Theory]
    [InlineData("-0.1")]
    [InlineData("1.5")]
    public void an_accepted_label_weight_outside_0_to_1_refuses_to_start_and_says_the_range(string weight)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([KeyValuePair.Create<string, string?>($"{FeedbackTrainingOptions.Section}:AcceptedLabelWeight", weight)])
            .Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddValidatedOptions<FeedbackTrainingOptions>(FeedbackTrainingOptions.Section);

        var refusal = Assert.Throws<OptionsValidationException>(() => services.BuildServiceProvider().GetRequiredService<IOptions<FeedbackTrainingOptions>>().Value);

        Assert.Contains("Training:Feedback:AcceptedLabelWeight is 0 (accepted results not trained on) to 1", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void at_weight_zero_an_accepted_result_is_skipped_with_the_option_that_would_train_it()
    {
        var cases = DatasetLabels.WithAcceptedWeight([Annotated, Accepted], 0);

        Assert.Equal(Annotated, cases[0]);
        Assert.Null(cases[1].Label);
        Assert.False(cases[1].IsFeedback);
        Assert.Contains("Training:Feedback:AcceptedLabelWeight is 0", cases[1].SkipReason, StringComparison.Ordinal);
    }

    [Fact]
    public void above_zero_an_accepted_result_trains_at_that_weight_and_an_annotators_label_at_one()
    {
        var cases = DatasetLabels.WithAcceptedWeight([Annotated, Accepted], 0.3);

        Assert.Equal((1.0, 0.3), (cases[0].Weight, cases[1].Weight));
        Assert.True(cases[1].IsAccepted);
        Assert.Null(cases[1].SkipReason);
    }

    [Fact]
    public void an_accepted_segment_that_names_no_output_of_the_workload_is_refused_with_the_outputs()
    {
        var workload = WorkloadRegistry.For(WorkloadTask.LiverCt);
        var read = new Cl2.Dicom.Segmentation.ReadSegmentation("1.2.5", null!, [new(
            new Cl2.Dicom.Segmentation.SegmentDescription(1, "spleen", workload.Segments[0].Property), "AUTOMATIC", null, [0, 1])]);

        var refused = Assert.Throws<InvalidDataException>(() => AcceptedResultLabel.Labels(workload, read));

        Assert.Contains("'spleen' is not one of liver-ct's outputs (liver, liver lesion)", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void accepted_segments_become_the_classes_their_labels_name()
    {
        var workload = WorkloadRegistry.For(WorkloadTask.LiverCt);
        var read = new Cl2.Dicom.Segmentation.ReadSegmentation("1.2.6", null!, [
            new(new Cl2.Dicom.Segmentation.SegmentDescription(1, "liver", workload.Segments[0].Property), "AUTOMATIC", null, [0, 1, 1]),
            new(new Cl2.Dicom.Segmentation.SegmentDescription(2, "liver lesion", workload.Segments[1].Property), "AUTOMATIC", null, [0, 0, 1])]);

        Assert.Equal([0, 1, 2], AcceptedResultLabel.Labels(workload, read));
    }
}
