using Cl2.Dicom.Deidentification;

namespace Cl2.Dicom.Tools;

/// <summary>
/// `deidentify --in DIR|FILE --out DIR --secret S [--retain-dates] [--clean-descriptors]`: applies the PS3.15 Basic
/// Application Level Confidentiality Profile to every DICOM file under --in and writes the copies to --out, named by their
/// new SOP Instance UID (original file names can hold names or IDs). The same secret gives the same pseudonymous UIDs and
/// patient pseudonyms, so a dataset can be extended later; a different secret gives unrelated ones.
/// </summary>
public sealed class DeidentifyCommand : IDicomCommand
{
    private const int ProgressEvery = 100;

    public string Name => "deidentify";

    public string Usage => "deidentify --in DIR|FILE --out DIR --secret S [--retain-dates] [--clean-descriptors]   (S: at least 16 characters)";

    public int Run(IReadOnlyList<string> arguments, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(output);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < arguments.Count; i++)
        {
            switch (arguments[i])
            {
                case "--retain-dates" or "--clean-descriptors":
                    flags.Add(arguments[i]);
                    break;
                case "--in" or "--out" or "--secret":
                    values[arguments[i]] = i + 1 < arguments.Count ? arguments[++i] : throw new UsageException($"{arguments[i]} needs a value");
                    break;
                default:
                    throw new UsageException($"unknown argument {arguments[i]}");
            }
        }
        var input = values.GetValueOrDefault("--in") ?? throw new UsageException("--in DIR|FILE is needed");
        var destination = values.GetValueOrDefault("--out") ?? throw new UsageException("--out DIR is needed");
        var secret = values.GetValueOrDefault("--secret") ?? throw new UsageException("--secret S is needed: the key of the research dataset's pseudonyms");
        var options = new HashSet<ConfidentialityOption>();
        if (flags.Contains("--retain-dates"))
        {
            options.Add(ConfidentialityOption.RetainLongitudinalTemporalInformationFullDates);
        }
        if (flags.Contains("--clean-descriptors"))
        {
            options.Add(ConfidentialityOption.CleanDescriptors);
        }
        PseudonymKey key;
        try
        {
            key = new PseudonymKey(secret);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
        var files = File.Exists(input) ? [input]
            : Directory.Exists(input) ? Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray()
            : throw new UsageException($"--in {input}: no such file or directory");
        Directory.CreateDirectory(destination);
        var deidentifier = new DicomDeidentifier(new DeidentificationSettings(key, options));
        var written = 0;
        var skipped = new List<string>();
        foreach (var path in files)
        {
            DicomFile original;
            try
            {
                original = DicomFile.Open(path);
            }
            catch (Exception e) when (e is DicomFormatException or EndOfStreamException or IOException)
            {
                skipped.Add($"{path}: {e.Message}");
                continue;
            }
            var patientId = original.Dataset.GetStringOrDefault(DicomTags.PatientID, "") ?? "";
            var copy = deidentifier.Deidentify(original, key.DerivePatient(patientId));
            var target = FreeName(destination, copy.Dataset.GetStringOrDefault(DicomTags.SOPInstanceUID) ?? $"instance-{written + 1}");
            copy.Save(target);
            written++;
            if (DicomDeidentifier.HasBurnedInAnnotation(original.Dataset))
            {
                output.WriteLine($"warning: {path} has Burned In Annotation YES: its pixels may show identifying text, which this profile does not clean");
            }
            if (written % ProgressEvery == 0)
            {
                output.WriteLine($"de-identified {written} of {files.Length} files");
            }
        }
        foreach (var reason in skipped)
        {
            output.WriteLine($"skipped (not readable DICOM) {reason}");
        }
        output.WriteLine($"de-identified {written} files into {destination}, skipped {skipped.Count}");
        return written > 0 || files.Length == 0 ? DicomTool.Success
            : throw new InvalidOperationException($"none of the {files.Length} files under {input} is readable DICOM");
    }

    private static string FreeName(string directory, string sopInstanceUid)
    {
        var path = Path.Combine(directory, sopInstanceUid + ".dcm");
        for (var n = 2; File.Exists(path); n++)
        {
            path = Path.Combine(directory, $"{sopInstanceUid}_{n}.dcm"); // copies of one instance (the same UID) keep apart
        }
        return path;
    }
}
