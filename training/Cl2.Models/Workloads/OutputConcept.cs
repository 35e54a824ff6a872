namespace Cl2.Models.Workloads;

/// <summary>A code from a coding scheme, as DICOM's Code Sequence Macro carries it (e.g. SCT 10200004 "Liver").</summary>
/// <param name="Scheme">Coding Scheme Designator: "SCT" for SNOMED CT, "DCM" for DICOM's own codes.</param>
public sealed record ConceptCode(string Scheme, string Value, string Meaning);

/// <summary>What one output of a workload means, for the result objects: a segment's category and type, or a finding.</summary>
/// <param name="Label">The class index of a segment (1 … N; 0 is background), or 0 for a classification's one output.</param>
/// <param name="Name">Human-readable name (a SEG's Segment Label).</param>
public sealed record OutputConcept(int Label, string Name, ConceptCode Category, ConceptCode Type);

/// <summary>The SNOMED CT codes the three workloads use.</summary>
public static class SnomedCodes
{
    public static readonly ConceptCode AnatomicalStructure = new("SCT", "123037004", "Anatomical Structure");
    public static readonly ConceptCode MorphologicallyAlteredStructure = new("SCT", "49755003", "Morphologically Altered Structure");
    public static readonly ConceptCode ClinicalFinding = new("SCT", "404684003", "Clinical finding");
    public static readonly ConceptCode Liver = new("SCT", "10200004", "Liver");
    public static readonly ConceptCode Neoplasm = new("SCT", "108369006", "Neoplasm");
    public static readonly ConceptCode Necrosis = new("SCT", "6574001", "Necrosis");
    public static readonly ConceptCode Edema = new("SCT", "79654002", "Edema");
    public static readonly ConceptCode Fracture = new("SCT", "72704001", "Fracture");
}
