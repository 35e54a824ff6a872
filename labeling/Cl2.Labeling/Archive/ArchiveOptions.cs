using System.ComponentModel.DataAnnotations;
using Cl2.Dicom;

namespace Cl2.Labeling.Archive;

/// <summary>The image archive's DICOMweb service (instances themselves live in the blob store, Blobs:*).</summary>
public sealed class ArchiveOptions : IValidatableObject
{
    public const string Section = "Archive";

    /// <summary>Most results one QIDO-RS search returns; a larger <c>limit</c> is lowered to this.</summary>
    [Range(1, 100_000)]
    public int MaxQidoResults { get; set; } = 1000;

    /// <summary>Most instances one STOW-RS request may carry.</summary>
    [Range(1, 1_000_000)]
    public int MaxInstancesPerStow { get; set; } = 10_000;

    /// <summary>
    /// Most bytes one STOW-RS request may carry, all parts together. A request that declares more is refused with 413 before
    /// a byte is read; one that sends more (chunked) is refused when it passes the limit, and nothing of it is stored. It is
    /// also the most one request can put in <see cref="SpoolPath"/>.
    /// </summary>
    [Range(1, long.MaxValue, ErrorMessage = "Archive:MaxStowBytes must be a positive number of bytes.")]
    public long MaxStowBytes { get; set; } = 8L * 1024 * 1024 * 1024;

    /// <summary>
    /// Where STOW-RS parts wait while the whole request is read and checked; relative paths are under the content root
    /// (<c>./cl2 up</c> sets the platform's data folder). Not the system temp folder, which is often memory (tmpfs). Needs
    /// room for <see cref="MaxStowBytes"/> per concurrent upload; each request's files are removed when it ends.
    /// </summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Archive:SpoolPath is required: the folder where STOW-RS uploads wait while they are checked.")]
    public string SpoolPath { get; set; } = "data/stow-spool";

    /// <summary>
    /// Most frames one WADO-RS frame list (<c>…/frames/1,2,3</c>) may name. Each frame may be named once, so an answer is
    /// never larger than the instance's frames; the limit bounds the work of a list of a many-frame instance.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxFramesPerRequest { get; set; } = 1000;

    /// <summary>
    /// Most byte ranges (frames, or the fragments of encapsulated frames) the index records for one instance at store
    /// time, so that a frame request reads only that frame's bytes. The ranges are kept in the instance's index row (16
    /// bytes each); an instance with more is parsed for each frame request instead.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxIndexedFrameRanges { get; set; } = 10_000;

    /// <summary>
    /// The archive's address as clients reach it, e.g. <c>https://cl2.example.org</c>: RetrieveURL, BulkDataURI and
    /// Content-Location start with it. Empty: the scheme, host and prefix that a trusted proxy (<see cref="TrustedProxies"/>;
    /// the gateway) forwards, or else labeling's own listening address; never the Host header a client sent.
    /// </summary>
    public string PublicBaseUrl { get; set; } = "";

    /// <summary>
    /// Addresses or networks (CIDR) besides loopback whose X-Forwarded-Proto/Host/Prefix/For labeling believes (the
    /// gateway's, where it runs on another machine); every other sender's are ignored. Loopback, where <c>./cl2 up</c>
    /// runs the gateway, is always trusted.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>
    /// Values of binary VRs (OB, OD, OF, OL, OV, OW, UN) longer than this are given in WADO-RS metadata as a BulkDataURI
    /// instead of inline Base64 (Pixel Data always is). 1 KiB keeps small binaries (versions, short private blobs, small
    /// LUTs) in the one metadata request a viewer makes, while an image's overlays, icon pixels, curve and waveform data
    /// and large LUTs, which would each add a third to their size as Base64 to every series' metadata, are fetched only
    /// by the client that needs them.
    /// </summary>
    [Range(0, 1024 * 1024)]
    public int MaxInlineBinaryBytes { get; set; } = 1024;

    /// <summary>
    /// Most data elements and sequence items one STOW-RS part may have (its meta group and nested items included). Values
    /// stay in the spool file while a part is checked, but each element is an object in memory: a part of millions of
    /// empty elements is refused with Cannot Understand (0xC000) instead of being held. Real objects have at most some
    /// hundred thousand.
    /// </summary>
    [Range(1000, int.MaxValue, ErrorMessage = "Archive:MaxDataSetElements must be at least 1000.")]
    public int MaxDataSetElements { get; set; } = 1_000_000;

    /// <summary>Sequences nested deeper than this in a STOW-RS part are refused with Cannot Understand (real objects nest a
    /// handful of levels).</summary>
    [Range(4, 1000, ErrorMessage = "Archive:MaxSequenceDepth must be 4 - 1000.")]
    public int MaxSequenceDepth { get; set; } = 64;

    /// <summary>How a STOW-RS part is read: <see cref="MaxDataSetElements"/> and <see cref="MaxSequenceDepth"/> over the
    /// reader's defaults.</summary>
    public DicomReaderOptions ReaderOptions => DicomReaderOptions.Default with { MaxElements = MaxDataSetElements, MaxSequenceDepth = MaxSequenceDepth };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PublicBaseUrl.Length > 0 && !(Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            && url.Query.Length == 0 && url.Fragment.Length == 0))
        {
            yield return new($"Archive:PublicBaseUrl '{PublicBaseUrl}' must be an absolute http(s) URL without query, such as https://cl2.example.org (or empty).");
        }
        foreach (var proxy in TrustedProxies.Where(proxy => !System.Net.IPNetwork.TryParse(proxy, out _) && !System.Net.IPAddress.TryParse(proxy, out _)))
        {
            yield return new($"Archive:TrustedProxies has '{proxy}', which is neither an IP address nor a network such as 10.0.0.0/8.");
        }
    }
}
