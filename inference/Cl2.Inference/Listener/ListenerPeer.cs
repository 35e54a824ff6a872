namespace Cl2.Inference.Listener;

/// <summary>Query/retrieve services a peer may use; C-ECHO and C-STORE are every recognized peer's.</summary>
public enum QueryRetrieveService
{
    Find,
    Get,
    Move,
}

/// <summary>One DICOM peer the listener serves (an entry of <c>Inference:Listener:Peers</c>): who calls, from where, and
/// which query/retrieve services it may use.</summary>
public sealed class ListenerPeer
{
    /// <summary>Its calling AE title, as it sends it (case matters, as in PS3.5's AE VR); <c>*</c> matches every title
    /// from <see cref="Hosts"/>.</summary>
    public string AeTitle { get; set; } = "";

    /// <summary>Addresses it calls from: IP addresses or CIDR networks (<c>10.20.0.0/16</c>). Names are not accepted: what a
    /// name resolves to can change without this configuration changing.</summary>
    public List<string> Hosts { get; set; } = [];

    /// <summary>C-FIND, C-GET and C-MOVE as it may use them; empty: none (it may still echo and store).</summary>
    public List<QueryRetrieveService> QueryRetrieve { get; set; } = [];
}
