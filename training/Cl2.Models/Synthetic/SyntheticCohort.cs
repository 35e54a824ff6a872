using Cl2.Dicom;
using Cl2.Models.Workloads;

namespace Cl2.Models.Synthetic;

/// <summary>Writes a synthetic cohort: per case a folder of DICOM series and its ground truth, and <c>cohort.json</c>.</summary>
public static class SyntheticCohort
{
    public static readonly IReadOnlyDictionary<string, string> BrainLabelNames = new Dictionary<string, string>
    {
        ["0"] = "background", ["1"] = "necrotic tumour core (NCR)", ["2"] = "peritumoral oedema (ED)", ["4"] = "enhancing tumour (ET)",
    };

    public static readonly IReadOnlyDictionary<string, string> LiverLabelNames = new Dictionary<string, string>
    {
        ["0"] = "background", ["1"] = "liver", ["2"] = "liver lesion",
    };

    /// <param name="progress">Receives the number of cases written so far.</param>
    public static CohortManifest Write(WorkloadTask task, string directory, int cases, int seed, int size,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cases, 1);
        Directory.CreateDirectory(directory);
        var written = new CohortCase[cases];
        var done = 0;
        Parallel.For(0, cases, new ParallelOptions { CancellationToken = cancellationToken }, index =>
        {
            var study = new SyntheticStudy(task, seed, index);
            var caseDirectory = Path.Combine(directory, study.CaseId);
            written[index] = task switch
            {
                WorkloadTask.BrainMri => WriteBrain(caseDirectory, study, size),
                WorkloadTask.LiverCt => WriteLiver(caseDirectory, study, size),
                WorkloadTask.HipXray => WriteHip(caseDirectory, study, size),
                _ => throw new ArgumentOutOfRangeException(nameof(task), task, null),
            };
            progress?.Report(Interlocked.Increment(ref done));
        });
        var manifest = new CohortManifest(CohortManifest.CurrentFormat, task.Name(), seed, size, written);
        manifest.Write(directory);
        return manifest;
    }

    private static CohortCase WriteBrain(string caseDirectory, SyntheticStudy study, int size)
    {
        var image = BrainMriPhantom.Generate(study.Seed, study.CaseIndex, size);
        var series = new Dictionary<string, string>();
        var uids = new List<string>();
        for (var s = 0; s < BrainMriPhantom.SequenceNames.Count; s++)
        {
            var name = BrainMriPhantom.SequenceNames[s];
            var header = new SeriesHeader(name, s + 1, BrainSeriesDescription(name), "MR", DicomUids.MRImageStorage.Value, "BRAIN",
                600, 1200, dataset => DescribeMr(dataset, name));
            uids.Add(SyntheticDicom.WriteSeries(Path.Combine(caseDirectory, name), study, header, image.Grid, image.Sequences[s]));
            series[name] = $"{study.CaseId}/{name}";
        }
        LabelVolume.Write(caseDirectory, image.Grid, image.Labels, study.FrameOfReferenceUid, uids, BrainLabelNames);
        return new CohortCase(study.CaseId, study.PatientId, study.StudyInstanceUid, series, $"{study.CaseId}/{LabelVolume.HeaderFileName}");
    }

    private static CohortCase WriteLiver(string caseDirectory, SyntheticStudy study, int size)
    {
        var image = LiverCtPhantom.Generate(study.Seed, study.CaseIndex, size);
        const int intercept = -1024;
        var stored = image.HounsfieldUnits.Select(hu => (ushort)(hu - intercept)).ToArray();
        var header = new SeriesHeader("CT", 2, "ABDOMEN 5.0 B30f", "CT", DicomUids.CTImageStorage.Value, "ABDOMEN", 60, 400,
            dataset => dataset
                .SetValues(DicomTags.KVP, 120.0)
                .SetString(DicomTags.ConvolutionKernel, "B30f")
                .SetStrings(DicomTags.PatientPosition, "FFS"),
            intercept);
        var uid = SyntheticDicom.WriteSeries(Path.Combine(caseDirectory, "CT"), study, header, image.Grid, stored);
        LabelVolume.Write(caseDirectory, image.Grid, image.Labels, study.FrameOfReferenceUid, [uid], LiverLabelNames);
        return new CohortCase(study.CaseId, study.PatientId, study.StudyInstanceUid,
            new Dictionary<string, string> { ["CT"] = $"{study.CaseId}/CT" }, $"{study.CaseId}/{LabelVolume.HeaderFileName}");
    }

    private static CohortCase WriteHip(string caseDirectory, SyntheticStudy study, int size)
    {
        var image = PelvisRadiographPhantom.Generate(study.Seed, study.CaseIndex, size);
        var header = new SeriesHeader("DX", 1, "PELVIS AP", "DX", DicomUids.DigitalXRayImageStorageForPresentation.Value, "PELVIS",
            2048, 4096, dataset =>
            {
                dataset
                    .SetValues(DicomTags.KVP, 75.0)
                    .SetString(DicomTags.DetectorType, "SCINTILLATOR")
                    .SetString(DicomTags.PositionerType, "")
                    .SetValues(DicomTags.RescaleIntercept, 0.0)
                    .SetValues(DicomTags.RescaleSlope, 1.0)
                    .SetString(DicomTags.RescaleType, "US");
                dataset.Add(new DicomSequence(DicomTags.AnatomicRegionSequence, [Code("12921003", "SCT", "Pelvis")]));
                dataset.Add(new DicomSequence(DicomTags.ViewCodeSequence, [Code("399348003", "SCT", "antero-posterior")]));
                // Type 2: present and empty, no acquisition context is recorded.
                dataset.Add(new DicomSequence(DicomTags.AcquisitionContextSequence, []));
            });
        SyntheticDicom.WriteRadiograph(Path.Combine(caseDirectory, "DX", "0001.dcm"), study, header, image);
        return new CohortCase(study.CaseId, study.PatientId, study.StudyInstanceUid,
            new Dictionary<string, string> { ["DX"] = $"{study.CaseId}/DX" }, Fracture: image.Fracture, FracturedSide: image.FracturedSide);
    }

    private static DicomDataset Code(string value, string scheme, string meaning) => new DicomDataset()
        .SetString(DicomTags.CodeValue, value)
        .SetString(DicomTags.CodingSchemeDesignator, scheme)
        .SetString(DicomTags.CodeMeaning, meaning);

    private static string BrainSeriesDescription(string sequence) => sequence switch
    {
        "T1" => "AX T1 SE",
        "T1c" => "AX T1 SE +C",
        "T2" => "AX T2 FSE",
        _ => "AX T2 FLAIR",
    };

    /// <summary>MR Image module parameters typical of a 1.5 T protocol for each sequence.</summary>
    private static void DescribeMr(DicomDataset dataset, string sequence)
    {
        var (scanning, repetition, echo, inversion) = sequence switch
        {
            "T1" or "T1c" => ("SE", 500.0, 12.0, (double?)null),
            "T2" => ("SE", 4000.0, 100.0, null),
            _ => ("IR", 9000.0, 120.0, 2500.0),
        };
        dataset
            .SetString(DicomTags.ScanningSequence, scanning)
            .SetString(DicomTags.SequenceVariant, "SK")
            .SetString(DicomTags.ScanOptions, "")
            .SetString(DicomTags.MRAcquisitionType, "2D")
            .SetString(DicomTags.PatientPosition, "HFS")
            .SetValues(DicomTags.RepetitionTime, repetition)
            .SetValues(DicomTags.EchoTime, echo)
            .SetValues(DicomTags.MagneticFieldStrength, 1.5)
            .SetValues(DicomTags.EchoTrainLength, sequence is "T2" or "FLAIR" ? 16 : 1);
        if (inversion is { } ti)
        {
            dataset.SetValues(DicomTags.InversionTime, ti);
        }
        if (sequence == "T1c")
        {
            dataset.SetString(DicomTags.ContrastBolusAgent, "GADOLINIUM 0.1 mmol/kg");
        }
    }
}
