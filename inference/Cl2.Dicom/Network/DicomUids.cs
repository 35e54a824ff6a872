using StandardUids = Cl2.Dicom.DicomUids;

namespace Cl2.Dicom.Network;

/// <summary>UIDs the network layer names (PS3.6 Annex A). The data dictionary proper lives with the data model.</summary>
public static class DicomUids
{
    public const string ApplicationContext = "1.2.840.10008.3.1.1.1";
    public const string Verification = "1.2.840.10008.1.1";

    /// <summary>Every Storage SOP Class UID lies under this root (PS3.4 B.5).</summary>
    public const string StorageSopClassRoot = "1.2.840.10008.5.1.4.1.1.";

    public const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";
    public const string MrImageStorage = "1.2.840.10008.5.1.4.1.1.4";
    public const string SecondaryCaptureImageStorage = "1.2.840.10008.5.1.4.1.1.7";

    public const string PatientRootQueryRetrieveFind = "1.2.840.10008.5.1.4.1.2.1.1";
    public const string PatientRootQueryRetrieveMove = "1.2.840.10008.5.1.4.1.2.1.2";
    public const string PatientRootQueryRetrieveGet = "1.2.840.10008.5.1.4.1.2.1.3";
    public const string StudyRootQueryRetrieveFind = "1.2.840.10008.5.1.4.1.2.2.1";
    public const string StudyRootQueryRetrieveMove = "1.2.840.10008.5.1.4.1.2.2.2";
    public const string StudyRootQueryRetrieveGet = "1.2.840.10008.5.1.4.1.2.2.3";

    public static bool IsStorageSopClass(string uid) => uid.StartsWith(StorageSopClassRoot, StringComparison.Ordinal);

    /// <summary>
    /// The storage classes a C-GET SCU takes the SCP role for, as getscu does: one association holds at most 128
    /// presentation contexts, fewer than the standard's storage classes, so a retrieving SCU names the common ones.
    /// </summary>
    public static IReadOnlyList<string> CommonStorageSopClasses { get; } =
    [
        .. new[]
        {
            StandardUids.ComputedRadiographyImageStorage, StandardUids.CTImageStorage, StandardUids.EnhancedCTImageStorage,
            StandardUids.MRImageStorage, StandardUids.EnhancedMRImageStorage, StandardUids.UltrasoundImageStorage,
            StandardUids.UltrasoundMultiFrameImageStorage, StandardUids.SecondaryCaptureImageStorage,
            StandardUids.MultiFrameGrayscaleByteSecondaryCaptureImageStorage,
            StandardUids.MultiFrameGrayscaleWordSecondaryCaptureImageStorage, StandardUids.MultiFrameTrueColorSecondaryCaptureImageStorage,
            StandardUids.DigitalXRayImageStorageForPresentation, StandardUids.DigitalMammographyXRayImageStorageForPresentation,
            StandardUids.XRayAngiographicImageStorage, StandardUids.XRayRadiofluoroscopicImageStorage,
            StandardUids.NuclearMedicineImageStorage, StandardUids.PositronEmissionTomographyImageStorage,
            StandardUids.EnhancedPETImageStorage, StandardUids.SegmentationStorage, StandardUids.ParametricMapStorage,
            StandardUids.SpatialRegistrationStorage, StandardUids.GrayscaleSoftcopyPresentationStateStorage,
            StandardUids.BasicTextSRStorage, StandardUids.EnhancedSRStorage, StandardUids.ComprehensiveSRStorage,
            StandardUids.KeyObjectSelectionDocumentStorage, StandardUids.XRayRadiationDoseSRStorage, StandardUids.EncapsulatedPDFStorage,
            StandardUids.RTImageStorage, StandardUids.RTDoseStorage, StandardUids.RTStructureSetStorage, StandardUids.RTPlanStorage,
            StandardUids.RTIonPlanStorage, StandardUids.VLPhotographicImageStorage,
        }.Select(uid => uid.Value),
    ];
}

/// <summary>Transfer syntax UIDs (PS3.5 Section 10 and Annex A).</summary>
public static class TransferSyntaxUids
{
    public const string ImplicitVrLittleEndian = "1.2.840.10008.1.2";
    public const string ExplicitVrLittleEndian = "1.2.840.10008.1.2.1";
    public const string DeflatedExplicitVrLittleEndian = "1.2.840.10008.1.2.1.99";
    public const string ExplicitVrBigEndian = "1.2.840.10008.1.2.2";
    public const string JpegBaseline = "1.2.840.10008.1.2.4.50";
    public const string JpegExtended = "1.2.840.10008.1.2.4.51";
    public const string JpegLossless = "1.2.840.10008.1.2.4.57";
    public const string JpegLosslessSv1 = "1.2.840.10008.1.2.4.70";
    public const string JpegLsLossless = "1.2.840.10008.1.2.4.80";
    public const string JpegLsNearLossless = "1.2.840.10008.1.2.4.81";
    public const string Jpeg2000Lossless = "1.2.840.10008.1.2.4.90";
    public const string Jpeg2000 = "1.2.840.10008.1.2.4.91";
    public const string RleLossless = "1.2.840.10008.1.2.5";

    /// <summary>Syntaxes any peer can read without a codec; the order is our preference.</summary>
    public static IReadOnlyList<string> Uncompressed { get; } = [ExplicitVrLittleEndian, ImplicitVrLittleEndian, ExplicitVrBigEndian];

    /// <summary>Uncompressed, deflate, RLE, JPEG family, JPEG-LS and JPEG 2000: what a store SCP accepts by default.</summary>
    public static IReadOnlyList<string> StorageDefaults { get; } =
    [
        ExplicitVrLittleEndian, ImplicitVrLittleEndian, ExplicitVrBigEndian, DeflatedExplicitVrLittleEndian, RleLossless,
        JpegBaseline, JpegExtended, JpegLossless, JpegLosslessSv1, JpegLsLossless, JpegLsNearLossless, Jpeg2000Lossless, Jpeg2000,
    ];
}
