using Cl2.Dicom;

namespace Cl2.Inference.Ingest;

/// <summary>Query/Retrieve information model levels (PS3.4 C.3), in hierarchy order.</summary>
public enum QueryLevel
{
    Patient,
    Study,
    Series,
    Image,
}

/// <summary>An attribute the index keeps for C-FIND, and the level it belongs to (PS3.4 C.6.1.1, C.6.2.1).</summary>
public sealed record IndexedAttribute(DicomTag Tag, string Keyword, QueryLevel Level, bool IsUniqueKey = false);

public static class IndexedAttributes
{
    public static IReadOnlyList<IndexedAttribute> All { get; } =
    [
        new(DicomTags.PatientID, "PatientID", QueryLevel.Patient, IsUniqueKey: true),
        new(DicomTags.PatientName, "PatientName", QueryLevel.Patient),
        new(DicomTags.PatientBirthDate, "PatientBirthDate", QueryLevel.Patient),
        new(DicomTags.PatientSex, "PatientSex", QueryLevel.Patient),
        new(DicomTags.StudyInstanceUID, "StudyInstanceUID", QueryLevel.Study, IsUniqueKey: true),
        new(DicomTags.StudyDate, "StudyDate", QueryLevel.Study),
        new(DicomTags.StudyTime, "StudyTime", QueryLevel.Study),
        new(DicomTags.AccessionNumber, "AccessionNumber", QueryLevel.Study),
        new(DicomTags.StudyID, "StudyID", QueryLevel.Study),
        new(DicomTags.StudyDescription, "StudyDescription", QueryLevel.Study),
        new(DicomTags.ReferringPhysicianName, "ReferringPhysicianName", QueryLevel.Study),
        new(DicomTags.SeriesInstanceUID, "SeriesInstanceUID", QueryLevel.Series, IsUniqueKey: true),
        new(DicomTags.Modality, "Modality", QueryLevel.Series),
        new(DicomTags.SeriesNumber, "SeriesNumber", QueryLevel.Series),
        new(DicomTags.SeriesDescription, "SeriesDescription", QueryLevel.Series),
        // Not a C-FIND key of PS3.4 C.6.1.1.4, but routing rules match on it (Routing/StudyForRouting.cs).
        new(DicomTags.BodyPartExamined, "BodyPartExamined", QueryLevel.Series),
        new(DicomTags.SOPInstanceUID, "SOPInstanceUID", QueryLevel.Image, IsUniqueKey: true),
        new(DicomTags.SOPClassUID, "SOPClassUID", QueryLevel.Image),
        new(DicomTags.InstanceNumber, "InstanceNumber", QueryLevel.Image),
    ];

    /// <summary>Kept so responses can encode names in the character set the values came in.</summary>
    public const string SpecificCharacterSet = "SpecificCharacterSet";

    public static IReadOnlyDictionary<DicomTag, IndexedAttribute> ByTag { get; } = All.ToDictionary(attribute => attribute.Tag);

    public static IndexedAttribute UniqueKey(QueryLevel level) => All.Single(attribute => attribute.Level == level && attribute.IsUniqueKey);

    /// <summary>The indexed attributes of a parsed data set, by keyword; absent or empty ones are left out.</summary>
    public static Dictionary<string, string> Extract(DicomDataset dataSet)
    {
        var attributes = new Dictionary<string, string>(All.Count + 1);
        foreach (var attribute in All)
        {
            if (dataSet.TryGetString(attribute.Tag, out var value) && value.Length > 0)
            {
                attributes[attribute.Keyword] = value;
            }
        }
        if (dataSet.TryGetString(DicomTags.SpecificCharacterSet, out var characterSet) && characterSet.Length > 0)
        {
            attributes[SpecificCharacterSet] = characterSet;
        }
        return attributes;
    }
}
