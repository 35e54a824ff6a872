using System.ComponentModel.DataAnnotations;

namespace Cl2.Labeling.Cohorts;

/// <summary>The PACS cohorts are queried and retrieved from (C-FIND and C-GET, Study Root), and the key research pseudonyms derive from.</summary>
public sealed class PacsOptions
{
    public const string Section = "Pacs";

    /// <summary>The PACS's host; empty means no PACS is configured (pacsStudies and importFromPacs then say so).</summary>
    public string Host { get; set; } = "";

    [Range(1, 65535)]
    public int Port { get; set; } = 104;

    /// <summary>The PACS's AE title (the called AE).</summary>
    [Required, StringLength(16, MinimumLength = 1)]
    public string AeTitle { get; set; } = "PACS";

    /// <summary>Our AE title (the calling AE); the PACS must know it, or it refuses C-FIND and C-GET.</summary>
    [Required, StringLength(16, MinimumLength = 1)]
    public string CallingAeTitle { get; set; } = "CL2";

    /// <summary>Most studies one pacsStudies query returns, and most one import takes.</summary>
    [Range(1, 10_000)]
    public int MaxStudies { get; set; } = 1000;

    /// <summary>
    /// The server-side secret each research dataset's pseudonym key derives from (HMAC with the dataset id), at least 16
    /// characters. Keep it secret and never change it: a new one gives a dataset new pseudonymous UIDs and patients.
    /// Empty refuses imports into research datasets.
    /// </summary>
    public string PseudonymMasterKey { get; set; } = "";
}
