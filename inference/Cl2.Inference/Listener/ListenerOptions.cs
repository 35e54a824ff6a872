using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net;
using Cl2.Dicom;
using Cl2.Dicom.Network;
using Cl2.Dicom.Network.Server;

namespace Cl2.Inference.Listener;

/// <summary>The inference service's DICOM listener (section <c>Inference:Listener</c>); docs/dicom-conformance.md says
/// what each setting means to a peer.</summary>
public sealed class ListenerOptions : IValidatableObject
{
    public const string Section = "Inference:Listener";

    /// <summary>Our AE title: 1–16 characters of the default repertoire, no backslash (PS3.5 6.2, VR AE).</summary>
    [Required]
    [RegularExpression(@"^[\x20-\x5B\x5D-\x7E]{1,16}$", ErrorMessage = "Inference:Listener:AeTitle must be 1-16 printable ASCII characters without a backslash.")]
    public string AeTitle { get; set; } = "CL2";

    /// <summary>Where the listener binds; 0.0.0.0 serves the hospital network, the default only this machine.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>11112 is the registered DICOM port; 0 lets the system pick one (tests).</summary>
    [Range(0, 65535, ErrorMessage = "Inference:Listener:Port must be 0-65535.")]
    public int Port { get; set; } = 11112;

    /// <summary>The peers served: calling AE title, the addresses it calls from, the query/retrieve services it may use.
    /// Outside Development only they are served (others get A-ASSOCIATE-RJ); in Development an empty list serves every
    /// caller's C-ECHO and C-STORE. See <see cref="PeerTable"/>.</summary>
    public List<ListenerPeer> Peers { get; set; } = [];

    /// <summary>Replaced by <see cref="Peers"/>; still read only to refuse a configuration that sets it.</summary>
    public List<string> AllowedCallingAeTitles { get; set; } = [];

    public ListenerTlsOptions Tls { get; set; } = new();

    /// <summary>Transfer syntax UIDs accepted for storage, in our order of preference; empty means
    /// <see cref="DicomTransferSyntax.StorageDefaultUids"/> (uncompressed, deflate, RLE, JPEG family, JPEG-LS, JPEG 2000).</summary>
    public List<string> TransferSyntaxes { get; set; } = [];

    [Range(1, 1024, ErrorMessage = "Inference:Listener:MaxConcurrentAssociations must be 1-1024.")]
    public int MaxConcurrentAssociations { get; set; } = 32;

    /// <summary>Connections one peer address may hold at once; one more is closed at once (and logged). Below
    /// <see cref="MaxConcurrentAssociations"/>, so one address cannot take every slot.</summary>
    [Range(1, 1024, ErrorMessage = "Inference:Listener:MaxAssociationsPerAddress must be 1-1024.")]
    public int MaxAssociationsPerAddress { get; set; } = 8;

    /// <summary>How long a new connection may take to send its A-ASSOCIATE-RQ; a silent one is closed after this.</summary>
    public TimeSpan AssociateRequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Replaced by <see cref="ListenerPeer.QueryRetrieve"/>; still read only to refuse a configuration that sets it.</summary>
    public List<string> QueryRetrieveCallingAeTitles { get; set; } = [];

    /// <summary>C-MOVE destinations: AE title → "host:port".</summary>
    public Dictionary<string, string> MoveDestinations { get; set; } = [];

    /// <summary>Most instances one group commit makes durable with one round of fsyncs.</summary>
    [Range(1, 65536, ErrorMessage = "Inference:Listener:MaxCommitBatch must be 1-65536.")]
    public int MaxCommitBatch { get; set; } = 512;

    /// <summary>Largest instance (meta header + data set) accepted; a larger one is refused with Out of Resources (0xA700)
    /// once that many bytes arrived. 512 MiB holds enhanced multi-frame CT/MR and breast tomosynthesis; it bounds the disk
    /// one unfinished instance can take, since anything beyond <see cref="SpoolThreshold"/> is spooled, not held in memory.</summary>
    [Range(1024, int.MaxValue, ErrorMessage = "Inference:Listener:MaxInstanceLength must be 1 KiB - 2 GiB.")]
    public int MaxInstanceLength { get; set; } = 512 * 1024 * 1024;

    /// <summary>An instance longer than this is written to a spool file (<c>dicom/incoming/</c> in the storage folder) as
    /// it arrives instead of being held in memory.</summary>
    [Range(64 * 1024, 256 * 1024 * 1024, ErrorMessage = "Inference:Listener:SpoolThreshold must be 64 KiB - 256 MiB.")]
    public int SpoolThreshold { get; set; } = 4 * 1024 * 1024;

    /// <summary>What all associations together may hold of received instances in memory; once it is spent, instances are
    /// spooled to disk whatever their length.</summary>
    [Range(1024 * 1024, long.MaxValue, ErrorMessage = "Inference:Listener:MaxInMemoryBytes must be at least 1 MiB.")]
    public long MaxInMemoryBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>Most bytes a deflated data set may inflate to while the listener parses it (inflated in memory; a guard
    /// against deflate bombs).</summary>
    [Range(1024 * 1024, int.MaxValue, ErrorMessage = "Inference:Listener:MaxInflatedLength must be 1 MiB - 2 GiB.")]
    public int MaxInflatedLength { get; set; } = 64 * 1024 * 1024;

    /// <summary>Most data elements and sequence items a received data set may have (nested items included): each is an
    /// object in memory (about 100 bytes) while the listener parses it, whatever the instance's length, so millions of
    /// empty elements are refused with Cannot Understand. Every association may be parsing at once.</summary>
    [Range(1000, int.MaxValue, ErrorMessage = "Inference:Listener:MaxDataSetElements must be at least 1000.")]
    public int MaxDataSetElements { get; set; } = 500_000;

    /// <summary>Sequences nested deeper than this in a received data set are refused with Cannot Understand.</summary>
    [Range(4, 1000, ErrorMessage = "Inference:Listener:MaxSequenceDepth must be 4 - 1000.")]
    public int MaxSequenceDepth { get; set; } = 64;

    public IReadOnlyList<string> EffectiveTransferSyntaxes => TransferSyntaxes.Count == 0 ? DicomTransferSyntax.StorageDefaultUids : TransferSyntaxes;

    public IReadOnlyDictionary<string, DicomPeer> ParsedMoveDestinations() =>
        MoveDestinations.ToDictionary(pair => pair.Key, pair => ParsePeer(pair.Value) ?? throw new FormatException(pair.Value));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(BindAddress, out _))
        {
            yield return new ValidationResult($"Inference:Listener:BindAddress '{BindAddress}' is not an IP address (use 0.0.0.0 for every interface).");
        }
        if (AssociateRequestTimeout < TimeSpan.FromMilliseconds(100) || AssociateRequestTimeout > TimeSpan.FromMinutes(5))
        {
            yield return new ValidationResult($"Inference:Listener:AssociateRequestTimeout is {AssociateRequestTimeout}; it must be 00:00:00.1 to 00:05:00.");
        }
        if (AllowedCallingAeTitles.Count > 0 || QueryRetrieveCallingAeTitles.Count > 0)
        {
            yield return new ValidationResult("Inference:Listener:AllowedCallingAeTitles and QueryRetrieveCallingAeTitles were replaced by " +
                "Inference:Listener:Peers: give each calling AE title an entry with the addresses it calls from, and list Find, Get, Move " +
                "under its QueryRetrieve where it had them (docs/configuration.md, \"DICOM peers\").");
        }
        foreach (var title in MoveDestinations.Keys.Where(title => !IsAeTitle(title)))
        {
            yield return new ValidationResult($"AE title '{title}' in Inference:Listener must be 1-16 printable ASCII characters without a backslash.");
        }
        foreach (var (peer, index) in Peers.Select((peer, index) => (peer, index)))
        {
            if (peer.AeTitle.Trim() != PeerTable.AnyAeTitle && !IsAeTitle(peer.AeTitle))
            {
                yield return new ValidationResult($"Inference:Listener:Peers:{index}:AeTitle '{peer.AeTitle}' must be 1-16 printable ASCII characters without a backslash, or * for any.");
            }
            if (peer.Hosts.Count == 0)
            {
                yield return new ValidationResult($"Inference:Listener:Peers:{index} ({peer.AeTitle}) has no Hosts: list the IP addresses or CIDR networks it calls from (0.0.0.0/0 for anywhere).");
            }
            foreach (var host in peer.Hosts.Where(host => PeerTable.ParseHost(host) is null))
            {
                yield return new ValidationResult($"Inference:Listener:Peers:{index}:Hosts '{host}' is not an IP address or a CIDR network such as 10.20.0.0/16 (host names are not accepted).");
            }
        }
        foreach (var result in Tls.Validate(Port))
        {
            yield return result;
        }
        var known = DicomTransferSyntax.StorageDefaultUids.ToHashSet();
        foreach (var uid in TransferSyntaxes.Where(uid => !known.Contains(uid)))
        {
            yield return new ValidationResult($"Inference:Listener:TransferSyntaxes: '{uid}' is not one we accept; choose from {string.Join(", ", known)}.");
        }
        foreach (var (title, address) in MoveDestinations.Where(pair => ParsePeer(pair.Value) is null))
        {
            yield return new ValidationResult($"Inference:Listener:MoveDestinations:{title} '{address}' must be host:port.");
        }
    }

    private static bool IsAeTitle(string title) =>
        title.Trim().Length is >= 1 and <= 16 && title.All(c => c is >= ' ' and <= '~' and not '\\');

    private static DicomPeer? ParsePeer(string address)
    {
        var colon = address.LastIndexOf(':');
        return colon > 0 && int.TryParse(address[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? new DicomPeer(address[..colon], port)
            : null;
    }
}
