using Cl2.Models.Inference;
using Cl2.Models.Workloads;

namespace Cl2.Training.Tests.Inference;

/// <summary>Studies a workload cannot run on are refused with a stable code and what to do, never run half-way.</summary>
public sealed class WorkloadRunnerRefusalTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cl2-runner-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void a_brain_study_without_flair_is_refused_listing_the_series_seen()
    {
        var (study, spacing) = UntrainedRunners.Case(WorkloadTask.BrainMri, _root, size: 16);
        Directory.Delete(Path.Combine(study, "FLAIR"), recursive: true);
        using var runner = UntrainedRunners.For(WorkloadTask.BrainMri, spacing);

        var refused = Assert.Throws<WorkloadException>(() => runner.Run(study));
        Assert.Equal(WorkloadErrorCodes.SeriesNotFound, refused.Code);
        Assert.Contains("no FLAIR series for brain-mri", refused.Message);
        Assert.Contains("#3 'AX T2 FSE' (MR, 16 images) — description 'AX T2 FSE' does not match /FLAIR/", refused.Message);
    }

    [Fact]
    public void a_series_missing_a_middle_slice_is_refused_as_not_a_volume()
    {
        var (study, spacing) = UntrainedRunners.Case(WorkloadTask.LiverCt, _root, size: 16);
        File.Delete(Path.Combine(study, "CT", "0008.dcm"));
        using var runner = UntrainedRunners.For(WorkloadTask.LiverCt, spacing);

        var refused = Assert.Throws<WorkloadException>(() => runner.Run(study));
        Assert.Equal(WorkloadErrorCodes.SeriesNotAVolume, refused.Code);
        Assert.Contains("the CT series #2 'ABDOMEN 5.0 B30f' (CT, 15 images) cannot form a volume: InconsistentSpacing", refused.Message);
    }

    [Fact]
    public void a_corrupt_instance_is_refused_naming_its_file()
    {
        var (study, spacing) = UntrainedRunners.Case(WorkloadTask.LiverCt, _root, size: 16);
        var corrupt = Path.Combine(study, "CT", "0003.dcm");
        File.WriteAllBytes(corrupt, File.ReadAllBytes(corrupt)[..200]);
        using var runner = UntrainedRunners.For(WorkloadTask.LiverCt, spacing);

        var refused = Assert.Throws<WorkloadException>(() => runner.Run(study));
        Assert.Equal(WorkloadErrorCodes.UnreadableInstance, refused.Code);
        Assert.Contains("0003.dcm", refused.Message);
    }

    [Fact]
    public void a_study_on_another_spacing_is_resampled_and_its_masks_come_back_on_the_source_grid()
    {
        var (study, spacing) = UntrainedRunners.Case(WorkloadTask.LiverCt, _root, size: 16);
        using var runner = UntrainedRunners.For(WorkloadTask.LiverCt, [.. spacing.Select(value => value * 1.5)]);

        var result = runner.Run(study);
        Assert.Equal((16, 16, 16), (result.Segmentation!.Depth, result.Segmentation.Height, result.Segmentation.Width));
        Assert.Equal(16 * 16 * 16, result.Segmentation.Segments[0].Mask.Length);
    }

    [Fact]
    public void the_hip_workload_reports_a_probability_for_the_radiograph_it_read()
    {
        var (study, spacing) = UntrainedRunners.Case(WorkloadTask.HipXray, _root, size: 64);
        using var runner = UntrainedRunners.For(WorkloadTask.HipXray, spacing);

        var result = runner.Run(study);
        var finding = Assert.IsType<ClassificationOutput>(result.Classification);
        Assert.InRange(finding.Probability, 0, 1);
        Assert.Equal(finding.Probability >= 0.5, finding.Present);
        Assert.Equal(Cl2.Dicom.Coding.CodedConcepts.FractureOfNeckOfFemur, finding.Finding.Finding);
        Assert.Equal("DX", Assert.Single(result.Sources).Instances[0].GetString(Cl2.Dicom.DicomTags.Modality).Trim());
    }
}
