using System.ComponentModel.DataAnnotations;

namespace Cl2.Labeling.Archive;

/// <summary>The image archive's DICOMweb service (instances themselves live in the blob store, Blobs:*).</summary>
public sealed class ArchiveOptions
{
    public const string Section = "Archive";

    /// <summary>Most results one QIDO-RS search returns; a larger <c>limit</c> is lowered to this.</summary>
    [Range(1, 100_000)]
    public int MaxQidoResults { get; set; } = 1000;

    /// <summary>Most instances one STOW-RS request may carry.</summary>
    [Range(1, 1_000_000)]
    public int MaxInstancesPerStow { get; set; } = 10_000;

    /// <summary>
    /// Where STOW-RS parts wait while the whole request is read and checked; empty means the system temp folder. Put it on
    /// a disk with room for the largest upload (it is emptied after each request).
    /// </summary>
    public string SpoolPath { get; set; } = "";

    /// <summary>
    /// Values of binary VRs (OB, OD, OF, OL, OV, OW, UN) longer than this are given in WADO-RS metadata as a BulkDataURI
    /// instead of inline Base64 (Pixel Data always is). 1 KiB keeps small binaries (versions, short private blobs, small
    /// LUTs) in the one metadata request a viewer makes, while an image's overlays, icon pixels, curve and waveform data
    /// and large LUTs, which would each add a third to their size as Base64 to every series' metadata, are fetched only
    /// by the client that needs them.
    /// </summary>
    [Range(0, 1024 * 1024)]
    public int MaxInlineBinaryBytes { get; set; } = 1024;
}
