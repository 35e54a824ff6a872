using System.Net;
using Cl2.Dicom;

namespace Cl2.Inference.Listener;

/// <summary>
/// Whom the listener serves: the peers of <c>Inference:Listener:Peers</c>, matched by calling AE title and address. A caller
/// that matches no entry is rejected (A-ASSOCIATE-RJ, calling-AE-title-not-recognized); one that matches may use the
/// query/retrieve services its entries allow. <see cref="IsOpen"/>: Development without peers, where every caller may
/// echo and store and none may query (what a developer's modality needs, and nothing more).
/// </summary>
public sealed class PeerTable
{
    public const string AnyAeTitle = "*";

    private static readonly Dictionary<QueryRetrieveService, string[]> SopClasses = new()
    {
        [QueryRetrieveService.Find] = [DicomUids.PatientRootQueryRetrieveInformationModelFind.Value, DicomUids.StudyRootQueryRetrieveInformationModelFind.Value],
        [QueryRetrieveService.Get] = [DicomUids.PatientRootQueryRetrieveInformationModelGet.Value, DicomUids.StudyRootQueryRetrieveInformationModelGet.Value],
        [QueryRetrieveService.Move] = [DicomUids.PatientRootQueryRetrieveInformationModelMove.Value, DicomUids.StudyRootQueryRetrieveInformationModelMove.Value],
    };

    private static readonly IReadOnlySet<string> Nothing = new HashSet<string>();

    private readonly IReadOnlyList<(string AeTitle, IReadOnlyList<IPNetwork> Hosts, IReadOnlySet<string> Granted)> _peers;

    private PeerTable(IReadOnlyList<(string, IReadOnlyList<IPNetwork>, IReadOnlySet<string>)> peers, bool isOpen)
    {
        _peers = peers;
        IsOpen = isOpen;
    }

    /// <summary>The query/retrieve SOP classes a peer table can grant (all of them are restricted to the peers granted them).</summary>
    public static IReadOnlySet<string> QueryRetrieveSopClasses { get; } = SopClasses.Values.SelectMany(uids => uids).ToHashSet();

    public bool IsOpen { get; }

    /// <param name="peers">Validated entries (<see cref="ListenerOptions"/> refuses hosts that do not parse).</param>
    /// <param name="isDevelopment">Whether an empty table opens the listener to every caller.</param>
    public static PeerTable From(IReadOnlyList<ListenerPeer> peers, bool isDevelopment) => new(
        peers.Select(peer => (peer.AeTitle.Trim(), (IReadOnlyList<IPNetwork>)peer.Hosts.Select(host => ParseHost(host)!.Value).ToList(),
            (IReadOnlySet<string>)peer.QueryRetrieve.SelectMany(service => SopClasses[service]).ToHashSet())).ToList(),
        isDevelopment && peers.Count == 0);

    /// <summary>The query/retrieve SOP classes the caller may use; null when it is no peer of ours.</summary>
    public IReadOnlySet<string>? Admit(string callingAeTitle, IPAddress address)
    {
        if (IsOpen)
        {
            return Nothing;
        }
        var from = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        HashSet<string>? granted = null;
        foreach (var (aeTitle, hosts, sopClasses) in _peers)
        {
            if ((aeTitle == AnyAeTitle || string.Equals(aeTitle, callingAeTitle, StringComparison.Ordinal)) && hosts.Any(host => host.Contains(from)))
            {
                (granted ??= []).UnionWith(sopClasses);
            }
        }
        return granted;
    }

    /// <summary>An IP address (one host) or a CIDR network without host bits; null for anything else.</summary>
    public static IPNetwork? ParseHost(string host)
    {
        var text = host.Trim();
        if (IPAddress.TryParse(text, out var address) && !text.Contains('/', StringComparison.Ordinal))
        {
            var single = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            return new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        }
        // 10.0.0.1/8 is refused, not read as 10.0.0.0/8: bits beyond the prefix mean someone meant something narrower.
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && IPAddress.TryParse(text[..slash], out var written) && IPNetwork.TryParse(text, out var network) && network.BaseAddress.Equals(written)
            ? network : null;
    }
}
