using Cl2.Dicom.Coding;

namespace Cl2.Dicom.Segmentation;

/// <summary>
/// What a segment is (PS3.3 §C.8.20.2): Segmented Property Category (CID 7150), Segmented Property Type, and optionally
/// the Anatomic Region it lies in (a liver lesion is a neoplasm in the liver).
/// </summary>
public sealed record SegmentedProperty(CodedConcept Category, CodedConcept Type, CodedConcept? AnatomicRegion = null)
{
    public static readonly SegmentedProperty Liver = new(CodedConcepts.AnatomicalStructure, CodedConcepts.Liver);

    public static readonly SegmentedProperty LiverLesion = new(CodedConcepts.MorphologicallyAbnormalStructure, CodedConcepts.Neoplasm, CodedConcepts.Liver);

    /// <summary>BraTS label 1, necrotic and non-enhancing tumour core (CID 7168 uses Necrosis for it).</summary>
    public static readonly SegmentedProperty NecroticTumourCore = new(CodedConcepts.MorphologicallyAbnormalStructure, CodedConcepts.Necrosis, CodedConcepts.Brain);

    /// <summary>BraTS label 2, peritumoral oedema.</summary>
    public static readonly SegmentedProperty PeritumoralOedema = new(CodedConcepts.MorphologicallyAbnormalStructure, CodedConcepts.Edema, CodedConcepts.Brain);

    /// <summary>BraTS label 4, enhancing tumour.</summary>
    public static readonly SegmentedProperty EnhancingTumour = new(CodedConcepts.MorphologicallyAbnormalStructure, CodedConcepts.EnhancingLesion, CodedConcepts.Brain);

    private static readonly Dictionary<string, SegmentedProperty> ByLabel = new(StringComparer.OrdinalIgnoreCase)
    {
        ["liver"] = Liver,
        ["liver lesion"] = LiverLesion,
        ["necrotic tumour core"] = NecroticTumourCore,
        ["peritumoral oedema"] = PeritumoralOedema,
        ["enhancing tumour"] = EnhancingTumour,
    };

    /// <summary>The labels <see cref="ForLabel"/> knows: the class names of the segmentation workloads' outputs.</summary>
    public static IReadOnlyCollection<string> KnownLabels => ByLabel.Keys;

    /// <summary>The coded property of a workload's output class ("liver", "liver lesion", "necrotic tumour core"…).</summary>
    /// <exception cref="KeyNotFoundException">The label has no coded property: add one here, with codes checked against PS3.16.</exception>
    public static SegmentedProperty ForLabel(string label) =>
        ByLabel.TryGetValue(label, out var property)
            ? property
            : throw new KeyNotFoundException($"no coded segmented property for the label '{label}'; known: {string.Join(", ", ByLabel.Keys)}");
}
