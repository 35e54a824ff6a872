namespace Cl2.Dicom;

public static partial class DicomUids
{
    /// <summary>Every Storage SOP Class UID lies under this root (PS3.4 B.5).</summary>
    public const string StorageSopClassRoot = "1.2.840.10008.5.1.4.1.1.";

    public static bool IsStorageSopClass(string uid) => uid.StartsWith(StorageSopClassRoot, StringComparison.Ordinal);

    /// <summary>
    /// The storage classes a C-GET SCU takes the SCP role for, as getscu does: one association holds at most 128
    /// presentation contexts, fewer than the standard's storage classes, so a retrieving SCU names the common ones.
    /// </summary>
    public static IReadOnlyList<string> CommonStorageSopClasses => Common.Uids;

    /// <summary>Built on first use: the order in which partial files initialise their static fields is not defined.</summary>
    private static class Common
    {
        public static readonly IReadOnlyList<string> Uids =
        [
            .. new[]
            {
                ComputedRadiographyImageStorage, CTImageStorage, EnhancedCTImageStorage,
                MRImageStorage, EnhancedMRImageStorage, UltrasoundImageStorage,
                UltrasoundMultiFrameImageStorage, SecondaryCaptureImageStorage,
                MultiFrameGrayscaleByteSecondaryCaptureImageStorage,
                MultiFrameGrayscaleWordSecondaryCaptureImageStorage, MultiFrameTrueColorSecondaryCaptureImageStorage,
                DigitalXRayImageStorageForPresentation, DigitalMammographyXRayImageStorageForPresentation,
                XRayAngiographicImageStorage, XRayRadiofluoroscopicImageStorage,
                NuclearMedicineImageStorage, PositronEmissionTomographyImageStorage,
                EnhancedPETImageStorage, SegmentationStorage, ParametricMapStorage,
                SpatialRegistrationStorage, GrayscaleSoftcopyPresentationStateStorage,
                BasicTextSRStorage, EnhancedSRStorage, ComprehensiveSRStorage,
                KeyObjectSelectionDocumentStorage, XRayRadiationDoseSRStorage, EncapsulatedPDFStorage,
                RTImageStorage, RTDoseStorage, RTStructureSetStorage, RTPlanStorage,
                RTIonPlanStorage, VLPhotographicImageStorage,
            }.Select(uid => uid.Value),
        ];
    }
}
