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

    /// <summary>Binary elements larger than this are left out of WADO-RS metadata (pixel data always is: fetch it as frames).</summary>
    [Range(0, 1024 * 1024)]
    public int MaxInlineBinaryBytes { get; set; } = 1024;
}
