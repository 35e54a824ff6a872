using Cl2.Dicom;
using Cl2.Inference.Ingest;

namespace Cl2.Inference.QueryRetrieve;

/// <summary>A C-FIND/C-MOVE/C-GET identifier, parsed: its level, the keys we can match and the whole data set for the reply.</summary>
public sealed record QueryIdentifier(QueryLevel Level, DicomDataset DataSet, IReadOnlyList<(IndexedAttribute Attribute, DicomVR VR, string Key)> Keys)
{
    /// <summary>Parses identifier bytes in the context's transfer syntax; a Study Root query may not ask for PATIENT.</summary>
    public static QueryIdentifier Parse(ReadOnlyMemory<byte> identifier, string transferSyntaxUid, string informationModel)
    {
        var meta = Part10.FileMetaInformation(informationModel, "1.2.3", transferSyntaxUid);
        var bytes = new byte[meta.Length + identifier.Length];
        meta.CopyTo(bytes, 0);
        identifier.Span.CopyTo(bytes.AsSpan(meta.Length));
        var dataSet = DicomFile.Open(new MemoryStream(bytes, writable: false)).Dataset;
        var levelText = dataSet.GetStringOrDefault(DicomTags.QueryRetrieveLevel, "")!.Trim();
        QueryLevel? level = levelText switch
        {
            "PATIENT" => QueryLevel.Patient,
            "STUDY" => QueryLevel.Study,
            "SERIES" => QueryLevel.Series,
            "IMAGE" => QueryLevel.Image,
            _ => null,
        };
        var studyRoot = informationModel == DicomUids.StudyRootQueryRetrieveInformationModelFind.Value
            || informationModel == DicomUids.StudyRootQueryRetrieveInformationModelMove.Value
            || informationModel == DicomUids.StudyRootQueryRetrieveInformationModelGet.Value;
        if (level is null || (studyRoot && level == QueryLevel.Patient))
        {
            throw new InvalidDataException($"Query/Retrieve Level '{levelText}' is not one of {(studyRoot ? "" : "PATIENT, ")}STUDY, SERIES, IMAGE");
        }
        var keys = new List<(IndexedAttribute, DicomVR, string)>();
        foreach (var element in dataSet)
        {
            if (IndexedAttributes.ByTag.TryGetValue(element.Tag, out var attribute) && attribute.Level <= level && element is DicomValueElement)
            {
                keys.Add((attribute, element.VR, dataSet.GetStringOrDefault(element.Tag, "")!));
            }
        }
        return new QueryIdentifier(level.Value, dataSet, keys);
    }

    /// <summary>The latest instances whose attributes match every key at or above the query level.</summary>
    public IEnumerable<StoredInstance> Select(IEnumerable<StoredInstance> instances) =>
        instances.Where(instance => Keys.All(key => AttributeMatching.Matches(key.Key, key.VR, instance.Attribute(key.Attribute.Keyword))));
}
