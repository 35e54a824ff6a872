namespace Cl2.Dicom.Coding;

/// <summary>
/// The coded concepts cl2's result objects use, each as PS3.16 lists it (the context group is named in its comment). SCT is
/// SNOMED CT, DCM the DICOM Controlled Terminology (PS3.16 Annex D), NCIt the NCI Thesaurus, UCUM units, RFC5646 languages.
/// Add a concept here only after checking its value and meaning against PS3.16 (or SNOMED CT for a finding): never invent one.
/// </summary>
public static class CodedConcepts
{
    // ---- Segmented Property Category (CID 7150) ----

    /// <summary>CID 7150: the category of an organ or other normal structure.</summary>
    public static readonly CodedConcept AnatomicalStructure = new("91723000", "SCT", "Anatomical Structure");

    /// <summary>CID 7150: the category of a lesion, necrosis, oedema (named "Morphologically Altered Structure" in older editions).</summary>
    public static readonly CodedConcept MorphologicallyAbnormalStructure = new("49755003", "SCT", "Morphologically Abnormal Structure");

    /// <summary>CID 7150: the category of tissue types.</summary>
    public static readonly CodedConcept Tissue = new("85756007", "SCT", "Tissue");

    // ---- Segmented Property Type and anatomy ----

    /// <summary>CID 7154 (abdominal organs), CID 4030 (anatomic region): the liver.</summary>
    public static readonly CodedConcept Liver = new("10200004", "SCT", "Liver");

    /// <summary>CID 4030: the brain, as anatomic region of a brain lesion segment.</summary>
    public static readonly CodedConcept Brain = new("12738006", "SCT", "Brain");

    /// <summary>CID 4030: the femur, as finding site of a hip fracture.</summary>
    public static readonly CodedConcept Femur = new("71341001", "SCT", "Femur");

    /// <summary>CID 7151, CID 7159: a neoplasm; with the liver as anatomic region, a liver lesion.</summary>
    public static readonly CodedConcept Neoplasm = new("108369006", "SCT", "Neoplasm");

    /// <summary>CID 7168 (brain lesion types with necrosis): the necrotic (and non-enhancing) tumour core.</summary>
    public static readonly CodedConcept Necrosis = new("6574001", "SCT", "Necrosis");

    /// <summary>CID 7168, CID 7169: oedema; the standard uses the generic concept for peritumoral oedema.</summary>
    public static readonly CodedConcept Edema = new("79654002", "SCT", "Edema");

    /// <summary>CID 7168, CID 7169: the enhancing tumour of a brain lesion.</summary>
    public static readonly CodedConcept EnhancingLesion = new("C113842", "NCIt", "Enhancing Lesion");

    /// <summary>CID 7169: the non-enhancing part of a brain lesion.</summary>
    public static readonly CodedConcept NonEnhancingLesion = new("C81175", "NCIt", "Non-Enhancing Lesion");

    // ---- Findings and qualifiers ----

    /// <summary>SNOMED CT disorder 5913000: the finding of the hip-xray workload.</summary>
    public static readonly CodedConcept FractureOfNeckOfFemur = new("5913000", "SCT", "Fracture of neck of femur");

    /// <summary>CID 240/241: the finding is present.</summary>
    public static readonly CodedConcept Present = new("52101004", "SCT", "Present");

    /// <summary>CID 240/241: the finding is absent.</summary>
    public static readonly CodedConcept Absent = new("272519000", "SCT", "Absent");

    /// <summary>The concept name of a laterality modifier (TID 1501 row "Laterality").</summary>
    public static readonly CodedConcept Laterality = new("272741003", "SCT", "Laterality");

    /// <summary>CID 244: right.</summary>
    public static readonly CodedConcept Right = new("24028007", "SCT", "Right");

    /// <summary>CID 244: left.</summary>
    public static readonly CodedConcept Left = new("7771000", "SCT", "Left");

    /// <summary>CID 100: the generic procedure reported of a measurement report.</summary>
    public static readonly CodedConcept ImagingProcedure = new("363679005", "SCT", "Imaging procedure");

    // ---- Segmentation (PS3.3 §C.8.20) ----

    /// <summary>CID 7203: the derivation of a segmentation frame from its source image.</summary>
    public static readonly CodedConcept Segmentation = new("113076", "DCM", "Segmentation");

    /// <summary>CID 7202: purpose of reference of each source image of a segmentation frame.</summary>
    public static readonly CodedConcept SourceImageForImageProcessingOperation = new("121322", "DCM", "Source image for image processing operation");

    // ---- TID 1500 Measurement Report and the templates it includes ----

    /// <summary>CID 7021: the document title of TID 1500.</summary>
    public static readonly CodedConcept ImagingMeasurementReport = new("126000", "DCM", "Imaging Measurement Report");

    /// <summary>TID 1204: the concept name of the language modifier.</summary>
    public static readonly CodedConcept LanguageOfContentItemAndDescendants = new("121049", "DCM", "Language of Content Item and Descendants");

    /// <summary>CID 5000: English as used in the United States.</summary>
    public static readonly CodedConcept EnglishUnitedStates = new("en-US", "RFC5646", "English (United States)");

    /// <summary>TID 1500 row 3.</summary>
    public static readonly CodedConcept ProcedureReported = new("121058", "DCM", "Procedure reported");

    /// <summary>TID 1600.</summary>
    public static readonly CodedConcept ImageLibrary = new("111028", "DCM", "Image Library");

    /// <summary>TID 1500 row 6.</summary>
    public static readonly CodedConcept ImagingMeasurements = new("126010", "DCM", "Imaging Measurements");

    /// <summary>TID 1411, TID 1501.</summary>
    public static readonly CodedConcept MeasurementGroup = new("125007", "DCM", "Measurement Group");

    /// <summary>TID 4108.</summary>
    public static readonly CodedConcept TrackingIdentifier = new("112039", "DCM", "Tracking Identifier");

    /// <summary>TID 4108.</summary>
    public static readonly CodedConcept TrackingUniqueIdentifier = new("112040", "DCM", "Tracking Unique Identifier");

    /// <summary>TID 1411, TID 1501.</summary>
    public static readonly CodedConcept Finding = new("121071", "DCM", "Finding");

    /// <summary>TID 1411, TID 1501.</summary>
    public static readonly CodedConcept FindingSite = new("363698007", "SCT", "Finding Site");

    /// <summary>TID 1411 row 7.</summary>
    public static readonly CodedConcept ReferencedSegment = new("121191", "DCM", "Referenced Segment");

    /// <summary>TID 1411 row 9.</summary>
    public static readonly CodedConcept SourceSeriesForSegmentation = new("121232", "DCM", "Source series for segmentation");

    /// <summary>TID 300: the image a measurement was made on.</summary>
    public static readonly CodedConcept SourceOfMeasurement = new("121112", "DCM", "Source of Measurement");

    /// <summary>CID 7469 (generic intensity and size measurements): volume.</summary>
    public static readonly CodedConcept Volume = new("118565006", "SCT", "Volume");

    /// <summary>DCM 122157: a probability, the model's score for a finding.</summary>
    public static readonly CodedConcept Probability = new("122157", "DCM", "Probability");

    // ---- Observer context (TID 1001, TID 1004) ----

    /// <summary>TID 1002.</summary>
    public static readonly CodedConcept ObserverType = new("121005", "DCM", "Observer Type");

    /// <summary>CID 270: a device observer.</summary>
    public static readonly CodedConcept Device = new("121007", "DCM", "Device");

    /// <summary>TID 1004.</summary>
    public static readonly CodedConcept DeviceObserverUid = new("121012", "DCM", "Device Observer UID");

    /// <summary>TID 1004.</summary>
    public static readonly CodedConcept DeviceObserverName = new("121013", "DCM", "Device Observer Name");

    /// <summary>TID 1004.</summary>
    public static readonly CodedConcept DeviceObserverManufacturer = new("121014", "DCM", "Device Observer Manufacturer");

    /// <summary>TID 1004.</summary>
    public static readonly CodedConcept DeviceObserverModelName = new("121015", "DCM", "Device Observer Model Name");

    // ---- Units (UCUM, CID 7181) ----

    /// <summary>Millilitres.</summary>
    public static readonly CodedConcept Millilitre = new("ml", "UCUM", "milliliter");

    /// <summary>A dimensionless number, such as a probability.</summary>
    public static readonly CodedConcept NoUnits = new("1", "UCUM", "no units");
}
