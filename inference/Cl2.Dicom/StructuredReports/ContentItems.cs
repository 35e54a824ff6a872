using Cl2.Dicom.Coding;

namespace Cl2.Dicom.StructuredReports;

/// <summary>SR content items (PS3.3 §C.17.3): each a sequence item with its relationship, value type, concept name and value.</summary>
internal static class ContentItems
{
    public const string Contains = "CONTAINS";
    public const string HasObservationContext = "HAS OBS CONTEXT";
    public const string HasConceptModifier = "HAS CONCEPT MOD";
    public const string InferredFrom = "INFERRED FROM";

    public static DicomDataset Container(string relationship, CodedConcept name, IEnumerable<DicomDataset> children) =>
        Item(relationship, "CONTAINER", name)
            .SetString(DicomTags.ContinuityOfContent, "SEPARATE")
            .Add(new DicomSequence(DicomTags.ContentSequence, children));

    public static DicomDataset Text(string relationship, CodedConcept name, string text) =>
        Item(relationship, "TEXT", name).SetString(DicomTags.TextValue, text);

    public static DicomDataset Code(string relationship, CodedConcept name, CodedConcept value, params DicomDataset[] modifiers)
    {
        var item = Item(relationship, "CODE", name).Add(value.ToSequence(DicomTags.ConceptCodeSequence));
        return modifiers.Length == 0 ? item : item.Add(new DicomSequence(DicomTags.ContentSequence, modifiers));
    }

    public static DicomDataset UidRef(string relationship, CodedConcept name, string uid) =>
        Item(relationship, "UIDREF", name).SetUid(DicomTags.UID, uid);

    public static DicomDataset Number(string relationship, CodedConcept name, double value, CodedConcept unit, params DicomDataset[] children)
    {
        var measured = new DicomDataset()
            .SetString(DicomTags.NumericValue, DicomVR.DS, DecimalString.Format(value))
            .Add(unit.ToSequence(DicomTags.MeasurementUnitsCodeSequence));
        var item = Item(relationship, "NUM", name).Add(new DicomSequence(DicomTags.MeasuredValueSequence, [measured]));
        return children.Length == 0 ? item : item.Add(new DicomSequence(DicomTags.ContentSequence, children));
    }

    /// <summary>An IMAGE item; <paramref name="name"/> null for an Image Library entry, which has no concept name.</summary>
    public static DicomDataset Image(string relationship, CodedConcept? name, string sopClassUid, string sopInstanceUid, int? segmentNumber = null)
    {
        var reference = new DicomDataset()
            .SetUid(DicomTags.ReferencedSOPClassUID, sopClassUid)
            .SetUid(DicomTags.ReferencedSOPInstanceUID, sopInstanceUid);
        if (segmentNumber is { } segment)
        {
            reference.SetValues(DicomTags.ReferencedSegmentNumber, (ushort)segment);
        }
        var item = new DicomDataset().SetString(DicomTags.RelationshipType, relationship).SetString(DicomTags.ValueType, "IMAGE");
        if (name is not null)
        {
            item.Add(name.ToSequence(DicomTags.ConceptNameCodeSequence));
        }
        return item.Add(new DicomSequence(DicomTags.ReferencedSOPSequence, [reference]));
    }

    private static DicomDataset Item(string relationship, string valueType, CodedConcept name) => new DicomDataset()
        .SetString(DicomTags.RelationshipType, relationship)
        .SetString(DicomTags.ValueType, valueType)
        .Add(name.ToSequence(DicomTags.ConceptNameCodeSequence));
}
