using Cl2.Dicom;
using Cl2.Dicom.Tools;
using Cl2.Dicom.Tests.DataSets;
using static Cl2.Testing.DicomToolRunner;

namespace Cl2.Dicom.Tests.Deidentification;

public sealed class DeidentifyCommandTests : IDisposable
{
    private const string Secret = "command-research-dataset-secret";

    private readonly string _folder = Directory.CreateTempSubdirectory("cl2-deid-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Study => Corpus.DataFile("test_files/dicomdirtests/98892003");

    private (int Code, DicomDataset[] Datasets, string Output) Deidentify(string input, string output, params string[] extra)
    {
        var (code, printed, error) = Run(["deidentify", "--in", input, "--out", output, .. extra]);
        Assert.True(code == DicomTool.Success, error + printed);
        var datasets = Directory.GetFiles(output).Order(StringComparer.Ordinal).Select(f => DicomFile.Open(f).Dataset).ToArray();
        return (code, datasets, printed);
    }

    [Fact]
    public async Task a_patient_folder_keeps_its_studies_and_series_under_new_uids_that_dcmtk_reads()
    {
        var originals = Directory.GetFiles(Study, "*", SearchOption.AllDirectories).Select(f => DicomFile.Open(f).Dataset).ToArray();
        var output = Path.Combine(_folder, "out");

        var (_, datasets, printed) = Deidentify(Study, output, "--secret", Secret);
        var dump = await Dcmtk.RunAsync("dcmdump", Directory.GetFiles(output));

        Assert.Equal(originals.Length, datasets.Length);
        Assert.True(dump.ExitCode == 0, dump.Error);
        Assert.Contains($"de-identified {originals.Length} files", printed, StringComparison.Ordinal);
        // Instances of one study or series before are of one study or series after, and only those.
        foreach (var tag in new[] { DicomTags.StudyInstanceUID, DicomTags.SeriesInstanceUID })
        {
            var before = originals.GroupBy(d => d.GetString(tag)).Select(g => g.Select(d => d.GetString(DicomTags.SOPInstanceUID)).Count()).Order();
            var after = datasets.GroupBy(d => d.GetString(tag)).Select(g => g.Count()).Order();
            Assert.Equal(before, after);
            Assert.Empty(originals.Select(d => d.GetString(tag)).Intersect(datasets.Select(d => d.GetString(tag))));
        }
        Assert.True(originals.Select(d => d.GetString(DicomTags.StudyInstanceUID)).Distinct().Count() > 1);
        Assert.Single(datasets.Select(d => d.GetString(DicomTags.PatientID)).Distinct());
        Assert.All(datasets, d => Assert.Equal("", d.GetString(DicomTags.StudyDate)));
        // Files are named by their new SOP Instance UID: no original name or UID survives in a path.
        Assert.All(Directory.GetFiles(output), f => Assert.StartsWith("2.25.", Path.GetFileName(f), StringComparison.Ordinal));
    }

    [Fact]
    public void the_same_secret_gives_the_same_uids_and_another_secret_unrelated_ones()
    {
        var first = Deidentify(Study, Path.Combine(_folder, "a"), "--secret", Secret).Datasets;
        var again = Deidentify(Study, Path.Combine(_folder, "b"), "--secret", Secret).Datasets;
        var other = Deidentify(Study, Path.Combine(_folder, "c"), "--secret", "a-different-dataset-secret").Datasets;

        var uids = (DicomDataset[] d) => d.Select(x => x.GetString(DicomTags.SOPInstanceUID)).ToHashSet();
        Assert.Equal(uids(first), uids(again));
        Assert.Empty(uids(first).Intersect(uids(other)));
        Assert.NotEqual(first[0].GetString(DicomTags.PatientID), other[0].GetString(DicomTags.PatientID));
    }

    [Fact]
    public void retain_dates_and_clean_descriptors_switch_the_options_on()
    {
        var originals = Directory.GetFiles(Study, "*", SearchOption.AllDirectories).Select(f => DicomFile.Open(f).Dataset).ToArray();

        var datasets = Deidentify(Study, Path.Combine(_folder, "o"), "--secret", Secret, "--retain-dates", "--clean-descriptors").Datasets;

        Assert.Equal(originals.Select(d => d.GetString(DicomTags.StudyDate)).Order(), datasets.Select(d => d.GetString(DicomTags.StudyDate)).Order());
        Assert.Contains(datasets, d => d.Contains(DicomTags.SeriesDescription) || d.Contains(DicomTags.StudyDescription) || d.Contains(DicomTags.ProtocolName));
        Assert.All(datasets, d => Assert.Equal(["113100", "113106", "113105"],
            d.GetSequence(DicomTags.DeidentificationMethodCodeSequence).Items.Select(i => i.GetString(DicomTags.CodeValue))));
    }

    [Fact]
    public void a_dicomdir_still_points_at_the_deidentified_instances()
    {
        var output = Path.Combine(_folder, "tiny");

        var datasets = Deidentify(Corpus.DataFile("test_files/dicomdirtests/TINY_ALPHA"), output, "--secret", Secret).Datasets;

        var instances = datasets.Where(d => d.Contains(DicomTags.SOPInstanceUID)).Select(d => d.GetString(DicomTags.SOPInstanceUID)).ToHashSet();
        var directory = Assert.Single(datasets, d => d.Contains(DicomTags.DirectoryRecordSequence));
        var referenced = directory.GetSequence(DicomTags.DirectoryRecordSequence).Items
            .Where(r => r.Contains(DicomTags.ReferencedSOPInstanceUIDInFile)).Select(r => r.GetString(DicomTags.ReferencedSOPInstanceUIDInFile)).ToArray();
        Assert.NotEmpty(referenced);
        Assert.All(referenced, uid => Assert.Contains(uid, instances));
    }

    [Theory]
    [InlineData("--secret", "short")]
    [InlineData("--retain-dates")]
    public void a_missing_or_weak_secret_is_a_usage_error(params string[] extra)
    {
        var (code, _, error) = Run(["deidentify", "--in", Study, "--out", Path.Combine(_folder, "x"), .. extra]);

        Assert.Equal(DicomTool.BadUsage, code);
        Assert.Contains("secret", error, StringComparison.Ordinal);
    }
}
