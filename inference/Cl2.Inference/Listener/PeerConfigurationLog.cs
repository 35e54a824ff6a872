using System.Text.Json;

namespace Cl2.Inference.Listener;

/// <summary>
/// Who may call the listener is security configuration, so each start says it in the log, and says what changed since the
/// previous start: the table is kept beside the store (<c>listener-peers.json</c>) and compared, so adding or widening a
/// peer leaves a warning that names it even though the change itself was made in a configuration file (and an audit
/// record: the listener records what this returns).
/// </summary>
public static class PeerConfigurationLog
{
    public const string FileName = "listener-peers.json";

    /// <returns>The peers added and removed since the last start (all of them added at the first start).</returns>
    public static (IReadOnlyList<string> Added, IReadOnlyList<string> Removed) Record(ListenerOptions settings, PeerTable table, string storagePath, ILogger logger)
    {
        if (table.IsOpen)
        {
            logger.LogWarning("DICOM listener: Development without Inference:Listener:Peers, so every calling AE may echo and store and none may query; " +
                "outside Development only listed peers are served");
        }
        else if (settings.Peers.Count == 0)
        {
            logger.LogWarning("DICOM listener: Inference:Listener:Peers is empty, so every association is rejected; list each modality and PACS " +
                "with its AE title and addresses");
        }
        var current = settings.Peers.Select(Describe).ToList();
        foreach (var peer in current)
        {
            logger.LogInformation("DICOM peer: {Peer}", peer);
        }
        var path = Path.Combine(storagePath, FileName);
        var previous = File.Exists(path) ? JsonSerializer.Deserialize<List<string>>(File.ReadAllText(path)) ?? [] : null;
        if (previous is not null && !previous.SequenceEqual(current))
        {
            logger.LogWarning("DICOM peers changed since the last start: added {Added}; removed {Removed}",
                Join(current.Except(previous)), Join(previous.Except(current)));
        }
        Directory.CreateDirectory(storagePath);
        File.WriteAllText(path, JsonSerializer.Serialize(current));
        return ([.. current.Except(previous ?? [])], [.. (previous ?? []).Except(current)]);
    }

    /// <summary>One line per peer, stable for comparison: <c>ORTHANC from 127.0.0.1 may Find, Move</c>.</summary>
    public static string Describe(ListenerPeer peer) =>
        $"{peer.AeTitle.Trim()} from {string.Join(", ", peer.Hosts.Select(host => host.Trim()))} may " +
        (peer.QueryRetrieve.Count == 0 ? "echo and store" : $"echo, store, {string.Join(", ", peer.QueryRetrieve.Distinct().Order())}");

    private static string Join(IEnumerable<string> peers) => peers.ToList() is { Count: > 0 } list ? string.Join("; ", list) : "nothing";
}
