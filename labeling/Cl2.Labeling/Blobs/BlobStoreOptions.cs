using System.ComponentModel.DataAnnotations;

namespace Cl2.Labeling.Blobs;

public sealed class BlobStoreOptions
{
    public const string Section = "Blobs";

    /// <summary>Folder of the filesystem store; relative paths are under the content root.</summary>
    [Required(ErrorMessage = "Blobs:Root is required: the folder where blobs are stored.")]
    public string Root { get; set; } = "data/blobs";

    /// <summary>The largest blob accepted, in bytes (default 4 GiB: model weights and multi-frame instances fit).</summary>
    [Range(1, long.MaxValue, ErrorMessage = "Blobs:MaxBlobBytes must be a positive number of bytes.")]
    public long MaxBlobBytes { get; set; } = 4L * 1024 * 1024 * 1024;
}
