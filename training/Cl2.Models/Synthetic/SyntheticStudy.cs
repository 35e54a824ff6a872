using System.Globalization;
using Cl2.Dicom;
using Cl2.Models.Workloads;

namespace Cl2.Models.Synthetic;

/// <summary>
/// The patient and study of one synthetic case, every identifier derived from the task, seed and case index, so a
/// cohort written twice is byte-identical and two cohorts with different seeds share no UID.
/// </summary>
public sealed record SyntheticStudy(WorkloadTask Task, int Seed, int CaseIndex)
{
    private static readonly DateOnly FirstStudyDate = new(2024, 1, 8);

    public string CaseId => $"case-{CaseIndex:D3}";

    public string PatientId => $"SYN-{Task.Name().ToUpperInvariant()}-{Seed}-{CaseIndex:D3}";

    public string StudyInstanceUid => Uid("study");

    public string FrameOfReferenceUid => Uid("frame-of-reference");

    public DateOnly StudyDate => FirstStudyDate.AddDays(((Seed % 97) * 7) + CaseIndex);

    public string Uid(string role) => SyntheticUid.For($"{Task.Name()}/{Seed}/{CaseIndex}/{role}");

    /// <summary>Patient, general study, general equipment and SOP common attributes shared by every image of the case.</summary>
    public DicomDataset NewDataset(string sopClassUid, string sopInstanceUid, string modality)
    {
        var birth = new DateOnly(1940 + ((Seed + (CaseIndex * 13)) % 50), 1 + (CaseIndex % 12), 1 + (CaseIndex % 28));
        return new DicomDataset()
            .SetString(DicomTags.SpecificCharacterSet, "ISO_IR 100")
            .SetUid(DicomTags.SOPClassUID, sopClassUid)
            .SetUid(DicomTags.SOPInstanceUID, sopInstanceUid)
            .SetDate(DicomTags.StudyDate, StudyDate)
            .SetDate(DicomTags.SeriesDate, StudyDate)
            .SetDate(DicomTags.ContentDate, StudyDate)
            .SetString(DicomTags.StudyTime, "093000")
            .SetString(DicomTags.SeriesTime, "093500")
            .SetString(DicomTags.ContentTime, "093500")
            .SetString(DicomTags.AccessionNumber, $"A{Seed % 10000:D4}{CaseIndex:D4}")
            .SetString(DicomTags.Modality, modality)
            .SetString(DicomTags.Manufacturer, "cl2 synthetic")
            .SetString(DicomTags.ManufacturerModelName, "phantom " + Task.Name())
            .SetString(DicomTags.ReferringPhysicianName, "")
            .SetString(DicomTags.StudyDescription, Task switch
            {
                WorkloadTask.BrainMri => "MRI BRAIN WITH AND WITHOUT CONTRAST",
                WorkloadTask.LiverCt => "CT ABDOMEN",
                _ => "XR PELVIS AP",
            })
            .SetString(DicomTags.PatientName, $"SYNTHETIC^{Task.Name().Replace('-', '_').ToUpperInvariant()}^{CaseIndex:D3}")
            .SetString(DicomTags.PatientID, PatientId)
            .SetDate(DicomTags.PatientBirthDate, birth)
            .SetString(DicomTags.PatientSex, CaseIndex % 2 == 0 ? "F" : "M")
            .SetUid(DicomTags.StudyInstanceUID, StudyInstanceUid)
            .SetString(DicomTags.StudyID, (CaseIndex + 1).ToString(CultureInfo.InvariantCulture));
    }
}
