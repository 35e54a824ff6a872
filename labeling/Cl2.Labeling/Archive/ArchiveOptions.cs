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

    /// <summary>Binary elements larger than this are left out of WADO-RS metadata (pixel data always is: fetch it as frames).</summary>
    [Range(0, 1024 * 1024)]
    public int MaxInlineBinaryBytes { get; set; } = 1024;
}
