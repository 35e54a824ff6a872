namespace Cl2.Dicom.Segmentation;

/// <summary>
/// What every result object cl2 writes (SEG, SR) shares: a new instance in a new series of its source's study, with the
/// source's character set, patient and study, Content Date/Time and Instance Creation Date/Time from one clock reading.
/// </summary>
internal static class DerivedInstance
{
    public static DicomDataset Start(DicomDataset source, DicomUid sopClass, string sopInstanceUid, string modality,
        string seriesInstanceUid, int seriesNumber, string seriesDescription, DateTimeOffset contentDateTime, int instanceNumber)
    {
        var dataset = new DicomDataset();
        if (source.TryGetElement(DicomTags.SpecificCharacterSet, out var characterSet))
        {
            dataset.Add(characterSet);
        }
        CopyPatientAndStudy(source, dataset);
        var date = DateOnly.FromDateTime(contentDateTime.DateTime);
        var time = TimeOnly.FromDateTime(contentDateTime.DateTime);
        return dataset
            .SetUid(DicomTags.SOPClassUID, sopClass)
            .SetUid(DicomTags.SOPInstanceUID, sopInstanceUid)
            .SetDate(DicomTags.InstanceCreationDate, date)
            .SetTime(DicomTags.InstanceCreationTime, time)
            .SetString(DicomTags.Modality, modality)
            .SetUid(DicomTags.SeriesInstanceUID, seriesInstanceUid)
            .SetValues(DicomTags.SeriesNumber, seriesNumber)
            .SetString(DicomTags.SeriesDescription, seriesDescription)
            .SetDate(DicomTags.SeriesDate, date)
            .SetTime(DicomTags.SeriesTime, time)
            .SetValues(DicomTags.InstanceNumber, instanceNumber)
            .SetDate(DicomTags.ContentDate, date)
            .SetTime(DicomTags.ContentTime, time);
    }

    /// <summary>The data set as a Part 10 file in Explicit VR Little Endian.</summary>
    public static DicomFile ToFile(DicomDataset dataset)
    {
        var meta = DicomFileMetaInformation.Create(dataset.GetString(DicomTags.SOPClassUID), dataset.GetString(DicomTags.SOPInstanceUID),
            DicomTransferSyntax.ExplicitVRLittleEndian.Uid);
        return new DicomFile(meta, dataset, DicomTransferSyntax.ExplicitVRLittleEndian);
    }

    /// <summary>The attributes of the Patient, General Study and Patient Study modules copied from the source (type 2 ones empty if absent).</summary>
    private static readonly DicomTag[] PatientAndStudy =
    [
        DicomTags.PatientName, DicomTags.PatientID, DicomTags.IssuerOfPatientID, DicomTags.PatientBirthDate, DicomTags.PatientSex,
        DicomTags.PatientAge, DicomTags.PatientWeight, DicomTags.PatientSize, DicomTags.PatientComments,
        DicomTags.StudyInstanceUID, DicomTags.StudyDate, DicomTags.StudyTime, DicomTags.ReferringPhysicianName, DicomTags.StudyID,
        DicomTags.AccessionNumber, DicomTags.StudyDescription, DicomTags.StudyComments,
    ];

    private static readonly DicomTag[] TypeTwo =
    [
        DicomTags.PatientName, DicomTags.PatientID, DicomTags.PatientBirthDate, DicomTags.PatientSex,
        DicomTags.StudyDate, DicomTags.StudyTime, DicomTags.ReferringPhysicianName, DicomTags.StudyID, DicomTags.AccessionNumber,
    ];

    /// <summary>Copies patient and study attributes from one image of the study the result belongs to.</summary>
    private static void CopyPatientAndStudy(DicomDataset source, DicomDataset target)
    {
        foreach (var tag in PatientAndStudy)
        {
            if (source.TryGetElement(tag, out var element))
            {
                target.Add(element);
            }
        }
        foreach (var tag in TypeTwo.Where(t => !target.Contains(t)))
        {
            target.SetString(tag, "");
        }
    }
}
