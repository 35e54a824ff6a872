using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Cl2.Labeling.Cohorts;

/// <summary>How instances come from the PACS: over our own association (C-GET), or sent by the PACS to a storage SCP of ours (C-MOVE).</summary>
public enum PacsRetrieveMethod
{
    CGet,
    CMove,
}

/// <summary>The PACS cohorts are queried and retrieved from (C-FIND, then C-GET or C-MOVE, Study Root), and the key research pseudonyms derive from.</summary>
public sealed class PacsOptions : IValidatableObject
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

    /// <summary>
    /// C-GET (the default) needs nothing reachable on our side; C-MOVE is for PACS that do not offer C-GET: labeling then
    /// listens with a storage SCP of its own (StorageScp*), and the PACS must know <see cref="EffectiveMoveDestination"/> at that address.
    /// </summary>
    public PacsRetrieveMethod RetrieveMethod { get; set; } = PacsRetrieveMethod.CGet;

    /// <summary>The AE title the PACS sends C-MOVE results to (our storage SCP answers to it); empty means <see cref="CallingAeTitle"/>.</summary>
    public string MoveDestinationAeTitle { get; set; } = "";

    /// <summary>Where the storage SCP listens (C-MOVE only); 0.0.0.0 for a PACS on another machine, the default only this machine.</summary>
    public string StorageScpBindAddress { get; set; } = "127.0.0.1";

    /// <summary>The storage SCP's port (C-MOVE only); 0 lets the system pick one (tests).</summary>
    [Range(0, 65535)]
    public int StorageScpPort { get; set; } = 11113;

    /// <summary>Most studies one pacsStudies query returns, and most one import takes.</summary>
    [Range(1, 10_000)]
    public int MaxStudies { get; set; } = 1000;

    /// <summary>
    /// The server-side secret each research dataset's pseudonym key derives from (HMAC with the dataset id), at least 16
    /// characters. Keep it secret and never change it: a new one gives a dataset new pseudonymous UIDs and patients.
    /// Empty refuses imports into research datasets.
    /// </summary>
    public string PseudonymMasterKey { get; set; } = "";

    public string EffectiveMoveDestination => MoveDestinationAeTitle.Length > 0 ? MoveDestinationAeTitle : CallingAeTitle;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PseudonymMasterKey.Length is > 0 and < 16)
        {
            yield return new ValidationResult("Pacs:PseudonymMasterKey needs at least 16 characters (or none).");
        }
        if (RetrieveMethod is not PacsRetrieveMethod.CMove)
        {
            yield break;
        }
        if (!IPAddress.TryParse(StorageScpBindAddress, out _))
        {
            yield return new ValidationResult($"Pacs:StorageScpBindAddress '{StorageScpBindAddress}' is not an IP address (use 0.0.0.0 for every interface).");
        }
        if (EffectiveMoveDestination.Length > 16 || EffectiveMoveDestination.Any(c => c is < ' ' or > '~' or '\\'))
        {
            yield return new ValidationResult($"Pacs:MoveDestinationAeTitle '{EffectiveMoveDestination}' must be 1-16 printable ASCII characters without a backslash.");
        }
    }
}
