using Cl2.Dicom;
using Cl2.Models.Synthetic;
using Cl2.Training.Cli;

namespace Cl2.Training.Tests.Synthetic;

public sealed class SyntheticCohortTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cl2-synth-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("brain-mri", 20)]
    [InlineData("liver-ct", 24)]
    [InlineData("hip-xray", 64)]
    public async Task cl2_synth_writes_dicom_that_dcmdump_reads_without_a_complaint(string task, int size)
    {
        var cohort = Synth(task, cases: 2, seed: 5, size);
        var files = Directory.GetFiles(cohort, "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        // -E: stop on a damaged file; DCMTK logs every warning and error it finds to stderr (log level warn by default).
        var dump = await Dcmtk.RunAsync("dcmdump", ["-E", .. files], TimeSpan.FromMinutes(2));
        Assert.True(dump.ExitCode == 0 && dump.Error.Length == 0, $"dcmdump exit {dump.ExitCode}: {dump.Error}");
        var expectedSopClass = task switch
        {
            "brain-mri" => DicomUids.MRImageStorage.Value,
            "liver-ct" => DicomUids.CTImageStorage.Value,
            _ => DicomUids.DigitalXRayImageStorageForPresentation.Value,
        };
        Assert.Equal(files.Count, CountOccurrences(dump.Output, "(0008,0016) UI ="));
        var dataset = DicomFile.Open(files[0]).Dataset;
        Assert.Equal(expectedSopClass, dataset.GetString(DicomTags.SOPClassUID).Trim());
        Assert.StartsWith(SyntheticUid.Root + ".", dataset.GetString(DicomTags.SOPInstanceUID));
        foreach (var tag in new[] { DicomTags.PatientID, DicomTags.StudyInstanceUID, DicomTags.SeriesInstanceUID, DicomTags.StudyDate,
            DicomTags.Modality, DicomTags.BodyPartExamined, DicomTags.SeriesDescription, DicomTags.WindowCenter, DicomTags.WindowWidth })
        {
            Assert.True(dataset.Contains(tag), $"{DicomDataset.Describe(tag)} is missing");
        }
    }

    [Theory]
    [InlineData("brain-mri", "T1c")]
    [InlineData("liver-ct", "CT")]
    [InlineData("hip-xray", "DX")]
    public async Task dciodvfy_finds_no_error_in_the_images_of_each_modality(string task, string series)
    {
        var cohort = Synth(task, cases: 2, seed: 6, size: 32);
        var image = Directory.GetFiles(Path.Combine(cohort, "case-001", series), "*.dcm").Order(StringComparer.Ordinal).First();
        var check = await ProcessRunner.RunAsync("/usr/bin/dciodvfy", [image], TimeSpan.FromMinutes(1));
        var report = check.Output + check.Error;
        var errors = report.Split('\n').Where(line => line.StartsWith("Error", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, string.Join('\n', errors));
        Assert.Contains(task == "hip-xray" ? "DXImage" : task == "liver-ct" ? "CTImage" : "MRImage", report);
    }

    [Theory]
    [InlineData("brain-mri")]
    [InlineData("liver-ct")]
    public void every_series_assembles_into_a_volume_on_the_grid_of_its_ground_truth(string task)
    {
        var cohort = Synth(task, cases: 2, seed: 9, size: 20);
        var manifest = CohortManifest.Read(cohort);
        Assert.Equal(2, manifest.Cases.Count);
        foreach (var item in manifest.Cases)
        {
            var (labels, mask) = LabelVolume.Read(Path.Combine(cohort, item.Labels!));
            foreach (var folder in item.Series.Values)
            {
                var series = DicomSeriesLoader.Load(Path.Combine(cohort, folder));
                Assert.Equal(labels.Shape, new[] { series.Depth, series.Height, series.Width });
                Assert.Equal(mask.Length, series.Values.Length);
                var geometry = series.Geometry;
                Assert.Equal(labels.Spacing[0], geometry.SliceSpacing, 3);
                Assert.Equal(labels.Spacing[1], geometry.RowSpacing, 3);
                Assert.Equal(labels.Spacing[2], geometry.ColumnSpacing, 3);
                Assert.Equal(labels.Origin, new[] { geometry.Origin.X, geometry.Origin.Y, geometry.Origin.Z }, new ToleranceComparer(1e-3));
                for (var z = 0; z < series.Depth; z++)
                {
                    // Sorted along the normal, each slice one spacing further, and the header's own spacing agrees.
                    var along = (geometry.Slices[z].ImagePosition - geometry.Origin).Dot(geometry.Normal);
                    Assert.Equal(z * labels.Spacing[0], along, 2);
                }
                var first = DicomFile.Open(Directory.GetFiles(Path.Combine(cohort, folder)).Order(StringComparer.Ordinal).First()).Dataset;
                Assert.Equal(geometry.SliceSpacing, first.GetValue<double>(DicomTags.SpacingBetweenSlices), 3);
                Assert.Equal(geometry.SliceSpacing, first.GetValue<double>(DicomTags.SliceThickness), 3);
                Assert.Equal(labels.FrameOfReferenceUid, first.GetString(DicomTags.FrameOfReferenceUID).Trim());
                Assert.Contains(first.GetString(DicomTags.SeriesInstanceUID).Trim(), labels.ReferencedSeriesInstanceUids);
            }
        }
    }

    [Fact]
    public void the_liver_is_at_liver_density_and_the_spine_at_bone_density_in_hounsfield_units()
    {
        var cohort = Synth("liver-ct", cases: 1, seed: 2, size: 24);
        var item = CohortManifest.Read(cohort).Cases[0];
        var ct = DicomSeriesLoader.Load(Path.Combine(cohort, item.Series["CT"]));
        var (_, labels) = LabelVolume.Read(Path.Combine(cohort, item.Labels!));
        var liver = ct.Values.Where((_, i) => labels[i] == LiverCtPhantom.Liver).Average();
        Assert.InRange(liver, 45, 75);
        Assert.InRange(ct.Values.Min(), -1024, -950); // air around the body
        Assert.InRange(ct.Values.Max(), 600, 800); // vertebral cortex
    }

    [Fact]
    public void tumour_regions_look_different_in_each_sequence()
    {
        var cohort = Synth("brain-mri", cases: 1, seed: 4, size: 24);
        var item = CohortManifest.Read(cohort).Cases[0];
        var (_, labels) = LabelVolume.Read(Path.Combine(cohort, item.Labels!));
        double Mean(string sequence, byte label)
        {
            var values = DicomSeriesLoader.Load(Path.Combine(cohort, item.Series[sequence])).Values;
            return values.Where((_, i) => labels[i] == label).Average();
        }
        Assert.True(Mean("T1c", BrainMriPhantom.EnhancingTumour) > 1.8 * Mean("T1", BrainMriPhantom.EnhancingTumour), "the rim enhances");
        Assert.True(Mean("T1c", BrainMriPhantom.NecroticCore) < 0.5 * Mean("T1c", BrainMriPhantom.EnhancingTumour), "necrosis is dark on T1c");
        Assert.True(Mean("FLAIR", BrainMriPhantom.Oedema) > 1.5 * Mean("T1", BrainMriPhantom.Oedema), "oedema is bright on FLAIR");
        Assert.True(Mean("T2", BrainMriPhantom.Oedema) > 1.5 * Mean("T1", BrainMriPhantom.Oedema), "oedema is bright on T2");
    }

    [Fact]
    public void the_same_seed_writes_the_same_bytes_and_another_seed_other_uids()
    {
        var first = Synth("hip-xray", cases: 2, seed: 11, size: 32, folder: "a");
        var again = Synth("hip-xray", cases: 2, seed: 11, size: 32, folder: "b");
        var other = Synth("hip-xray", cases: 2, seed: 12, size: 32, folder: "c");
        var path = Path.Combine("case-001", "DX", "0001.dcm");
        Assert.Equal(File.ReadAllBytes(Path.Combine(first, path)), File.ReadAllBytes(Path.Combine(again, path)));
        string Uid(string cohort) => DicomFile.Open(Path.Combine(cohort, path)).Dataset.GetString(DicomTags.StudyInstanceUID);
        Assert.NotEqual(Uid(first), Uid(other));
        Assert.Equal([false, true], CohortManifest.Read(first).Cases.Select(c => c.Fracture == true));
    }

    [Fact]
    public void cl2_synth_says_what_to_do_about_a_bad_task()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(TrainingTool.BadUsage, TrainingTool.Run(["synth", "--task", "knee-mri", "--out", _root], output, error));
        Assert.Contains("brain-mri, liver-ct, hip-xray", error.ToString());
    }

    private string Synth(string task, int cases, int seed, int size, string? folder = null)
    {
        var directory = Path.Combine(_root, folder ?? task);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = TrainingTool.Run(["synth", "--task", task, "--out", directory, "--cases", $"{cases}", "--seed", $"{seed}", "--size", $"{size}"], output, error);
        Assert.True(code == TrainingTool.Success, error.ToString());
        return directory;
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
