namespace Cl2.Dicom.Deidentification;

/// <summary>The options of the Basic Application Level Confidentiality Profile (PS3.15 §E.3), in the order of Table E.1-1's columns.</summary>
public enum ConfidentialityOption
{
    RetainSafePrivate,
    RetainUids,
    RetainDeviceIdentity,
    RetainInstitutionIdentity,
    RetainPatientCharacteristics,
    RetainLongitudinalTemporalInformationFullDates,
    RetainLongitudinalTemporalInformationModifiedDates,
    CleanDescriptors,
    CleanStructuredContent,
    CleanGraphics,
}

/// <summary>A code of CID 7050 "De-identification Method" (PS3.16), coding scheme DCM.</summary>
public sealed record DeidentificationMethodCode(string CodeValue, string CodeMeaning)
{
    public const string CodingSchemeDesignator = "DCM";

    public static readonly DeidentificationMethodCode BasicProfile = new("113100", "Basic Application Confidentiality Profile");

    /// <summary>The code of an option, and whether <see cref="DicomDeidentifier"/> implements it.</summary>
    public static (DeidentificationMethodCode Code, bool IsSupported) Of(ConfidentialityOption option) => option switch
    {
        ConfidentialityOption.RetainSafePrivate => (new("113111", "Retain Safe Private Option"), false),
        ConfidentialityOption.RetainUids => (new("113110", "Retain UIDs Option"), true),
        ConfidentialityOption.RetainDeviceIdentity => (new("113109", "Retain Device Identity Option"), true),
        ConfidentialityOption.RetainInstitutionIdentity => (new("113112", "Retain Institution Identity Option"), true),
        ConfidentialityOption.RetainPatientCharacteristics => (new("113108", "Retain Patient Characteristics Option"), true),
        ConfidentialityOption.RetainLongitudinalTemporalInformationFullDates =>
            (new("113106", "Retain Longitudinal Temporal Information Full Dates Option"), true),
        ConfidentialityOption.RetainLongitudinalTemporalInformationModifiedDates =>
            (new("113107", "Retain Longitudinal Temporal Information Modified Dates Option"), true),
        ConfidentialityOption.CleanDescriptors => (new("113105", "Clean Descriptors Option"), true),
        ConfidentialityOption.CleanStructuredContent => (new("113104", "Clean Structured Content Option"), false),
        ConfidentialityOption.CleanGraphics => (new("113103", "Clean Graphics Option"), false),
        _ => throw new ArgumentOutOfRangeException(nameof(option), option, null),
    };
}
