using Cl2.Dicom;
using Cl2.Dicom.Deidentification;
using Cl2.Dicom.Tests.DataSets;

namespace Cl2.Dicom.Tests.Deidentification;

/// <summary>The profile over every corpus file our reader opens, checked attribute by attribute and read back by DCMTK.</summary>
public sealed class CorpusDeidentificationTests
{
    private const string Secret = "corpus-research-dataset-secret-1";

    public static TheoryData<string> OptionSets => ["basic", "full-dates+clean-descriptors", "modified-dates+retain-uids+device+institution+patient"];

    private static HashSet<ConfidentialityOption> Options(string name) => name switch
    {
        "basic" => [],
        "full-dates+clean-descriptors" => [ConfidentialityOption.RetainLongitudinalTemporalInformationFullDates, ConfidentialityOption.CleanDescriptors],
        _ =>
        [
            ConfidentialityOption.RetainLongitudinalTemporalInformationModifiedDates, ConfidentialityOption.RetainUids,
            ConfidentialityOption.RetainDeviceIdentity, ConfidentialityOption.RetainInstitutionIdentity, ConfidentialityOption.RetainPatientCharacteristics,
        ],
    };

    internal static IEnumerable<(string Relative, DicomFile File)> ReadableFiles()
    {
        foreach (var relative in Corpus.DataFiles())
        {
            DicomFile file;
            try
            {
                file = DicomFile.Open(Corpus.DataFile(relative));
            }
            catch (Exception e) when (e is DicomFormatException or EndOfStreamException)
            {
                continue; // truncated or not DICOM: the reader's own tests cover these
            }
            yield return (relative, file);
        }
    }

    [Theory]
    [MemberData(nameof(OptionSets))]
    public void every_attribute_of_table_E_1_1_in_every_corpus_file_gets_its_action(string optionSet)
    {
        var options = Options(optionSet);
        var key = new PseudonymKey(Secret);
        var deidentifier = new DicomDeidentifier(new DeidentificationSettings(key, options));
        var verifier = new ProfileVerifier(options);
        var files = 0;

        foreach (var (relative, file) in ReadableFiles())
        {
            var pseudonym = key.DerivePatient(file.Dataset.GetStringOrDefault(DicomTags.PatientID, "") ?? "");
            var copy = deidentifier.Deidentify(file, pseudonym);
            verifier.Verify(relative, file.Dataset, copy.Dataset, pseudonym);
            if (copy.HasFileMetaInformation && copy.Dataset.TryGetString(DicomTags.SOPInstanceUID, out var instance))
            {
                Assert.Equal(instance, copy.FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID));
            }
            files++;
        }

        Assert.True(files > 150, $"only {files} corpus files were readable");
        Assert.True(verifier.Failures.Count == 0, string.Join('\n', verifier.Failures.Take(40)));
        // The corpus must exercise the main actions, or this test would prove little.
        var retainsUids = options.Contains(ConfidentialityOption.RetainUids);
        foreach (var code in retainsUids ? new[] { "X", "Z", "K", "X private", "unlisted date" } : ["X", "Z", "U", "X private", "unlisted date"])
        {
            Assert.True(verifier.Checked.GetValueOrDefault(code) > 0, $"no attribute with action {code} was checked");
        }
        if (options.Contains(ConfidentialityOption.CleanDescriptors))
        {
            Assert.True(verifier.Checked.GetValueOrDefault("C descriptors") > 0, "no descriptor was cleaned");
        }
        if (options.Contains(ConfidentialityOption.RetainLongitudinalTemporalInformationModifiedDates))
        {
            Assert.True(verifier.Checked.GetValueOrDefault("C dates shifted") > 0, "no date was shifted");
        }
    }

    [Fact]
    public async Task dcmdump_reads_every_deidentified_corpus_file_without_error()
    {
        var folder = Directory.CreateTempSubdirectory("cl2-deid-").FullName;
        try
        {
            var key = new PseudonymKey(Secret);
            var deidentifier = new DicomDeidentifier(new DeidentificationSettings(key,
                new HashSet<ConfidentialityOption> { ConfidentialityOption.CleanDescriptors }));
            var files = ReadableFiles().ToArray();
            // What DCMTK cannot read before need not be readable after: one dcmdump over all originals names those files.
            var originals = await Dcmtk.RunAsync("dcmdump", files.Select(f => Corpus.DataFile(f.Relative)));
            var unreadable = originals.Error.Split('\n').Where(l => l.Contains("reading file: ", StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf("reading file: ", StringComparison.Ordinal) + "reading file: ".Length)..].Trim()).ToHashSet();
            var written = new List<string>();
            foreach (var (relative, file) in files)
            {
                if (unreadable.Contains(Corpus.DataFile(relative)))
                {
                    continue;
                }
                var path = Path.Combine(folder, $"{written.Count}.dcm");
                deidentifier.Deidentify(file, key.DerivePatient("x")).Save(path);
                written.Add(path);
            }

            var dump = await Dcmtk.RunAsync("dcmdump", written);

            Assert.True(written.Count > 150, $"only {written.Count} files written");
            Assert.True(dump.ExitCode == 0, dump.Error);
            Assert.Equal(written.Count, dump.Output.Split('\n').Count(l => l.StartsWith("# Dicom-File-Format", StringComparison.Ordinal)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("test_files/CT_small.dcm")]
    [InlineData("test_files/MR_small.dcm")]
    [InlineData("test_files/JPEG2000.dcm")]
    public async Task dciodvfy_finds_no_more_errors_after_deidentification_than_before(string relative)
    {
        var folder = Directory.CreateTempSubdirectory("cl2-deid-").FullName;
        try
        {
            var key = new PseudonymKey(Secret);
            var path = Path.Combine(folder, "out.dcm");
            new DicomDeidentifier(new DeidentificationSettings(key)).Deidentify(DicomFile.Open(Corpus.DataFile(relative)), key.DerivePatient("p")).Save(path);

            var before = await ProcessRunner.RunAsync("/usr/bin/dciodvfy", [Corpus.DataFile(relative)]);
            var after = await ProcessRunner.RunAsync("/usr/bin/dciodvfy", [path]);

            var errors = (ProcessResult r) => (r.Output + "\n" + r.Error).Split('\n').Count(l => l.StartsWith("Error", StringComparison.Ordinal));
            Assert.True(errors(after) <= errors(before), after.Output + after.Error);
            Assert.True(after.ExitCode is 0 or 1, $"dciodvfy did not finish its check (exit {after.ExitCode})");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
