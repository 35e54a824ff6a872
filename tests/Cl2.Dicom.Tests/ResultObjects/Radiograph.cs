using Cl2.Dicom.Coding;

namespace Cl2.Dicom.Tests.ResultObjects;

/// <summary>A small pelvis radiograph (DX For Presentation) made in the test, the input of a hip fracture classifier.</summary>
internal static class Radiograph
{
    public static DicomDataset Pelvis(string name = "hip") => new DicomDataset()
        .SetString(DicomTags.SpecificCharacterSet, "ISO_IR 100")
        .SetStrings(DicomTags.ImageType, "ORIGINAL", "PRIMARY")
        .SetUid(DicomTags.SOPClassUID, DicomUids.DigitalXRayImageStorageForPresentation)
        .SetUid(DicomTags.SOPInstanceUID, NameBasedUid.For($"test/{name}/image"))
        .SetUid(DicomTags.StudyInstanceUID, NameBasedUid.For($"test/{name}/study"))
        .SetUid(DicomTags.SeriesInstanceUID, NameBasedUid.For($"test/{name}/series"))
        .SetString(DicomTags.StudyDate, "20260302")
        .SetString(DicomTags.StudyTime, "080000")
        .SetString(DicomTags.AccessionNumber, "ACC-" + name)
        .SetString(DicomTags.Modality, "DX")
        .SetString(DicomTags.PatientName, "Doe^Jane")
        .SetString(DicomTags.PatientID, "PID-" + name)
        .SetString(DicomTags.PatientBirthDate, "19400101")
        .SetString(DicomTags.PatientSex, "F")
        .SetString(DicomTags.StudyID, "7")
        .SetValues(DicomTags.SeriesNumber, 1)
        .SetValues(DicomTags.InstanceNumber, 1);
}
