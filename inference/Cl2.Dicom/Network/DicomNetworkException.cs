using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Network;

/// <summary>Base of every failure of the DICOM network layer. <see cref="AbortReason"/> is what we tell the peer in
/// A-ABORT when the failure is the peer's protocol error; null when no abort is due (timeouts, peer gone).</summary>
public abstract class DicomNetworkException(string message, Exception? inner = null) : Exception(message, inner)
{
    public virtual AbortReason? AbortReason => null;
}

/// <summary>A PDU that does not follow PS3.8: which PDU, at which byte offset of it, and what was wrong.</summary>
public sealed class PduFormatException(PduType? pduType, long offset, string what, AbortReason reason)
    : DicomNetworkException($"malformed {(pduType is { } t ? t.ToString() : "PDU")} at offset {offset}: {what}")
{
    public PduType? PduType { get; } = pduType;
    public long Offset { get; } = offset;
    public override AbortReason? AbortReason { get; } = reason;
}

/// <summary>A PDU whose announced length exceeds the limit we set (<see cref="DicomNetworkOptions"/>).</summary>
public sealed class PduTooLargeException(PduType pduType, uint length, uint limit)
    : DicomNetworkException($"{pduType} of {length} bytes exceeds the limit of {limit} bytes")
{
    public PduType PduType { get; } = pduType;
    public uint Length { get; } = length;
    public uint Limit { get; } = limit;
    public override AbortReason? AbortReason => UpperLayer.AbortReason.InvalidPduParameterValue;
}

/// <summary>The peer closed the connection inside a PDU (its header or its announced length).</summary>
public sealed class PduTruncatedException(PduType? pduType, long expected, long received)
    : DicomNetworkException($"connection closed inside {(pduType is { } t ? t.ToString() : "a PDU header")}: {received} of {expected} bytes arrived")
{
    public PduType? PduType { get; } = pduType;
    public long Expected { get; } = expected;
    public long Received { get; } = received;
}

/// <summary>The peer closed the connection between PDUs where the protocol still expected one.</summary>
public sealed class PeerClosedException(string expected)
    : DicomNetworkException($"peer closed the connection while we expected {expected}");

/// <summary>A PDU that is well formed but not allowed in the association's state (PS3.8 9.2 state machine).</summary>
public sealed class UnexpectedPduException(PduType received, string state)
    : DicomNetworkException($"unexpected {received} while {state}")
{
    public PduType Received { get; } = received;
    public override AbortReason? AbortReason => UpperLayer.AbortReason.UnexpectedPdu;
}

/// <summary>A P-DATA-TF whose PDVs break the DIMSE message rules (PS3.7 Annex E, PS3.8 9.3.5).</summary>
public sealed class DimseProtocolException(string what)
    : DicomNetworkException(what)
{
    public override AbortReason? AbortReason => UpperLayer.AbortReason.UnexpectedPduParameter;
}

/// <summary>A DIMSE command set that cannot be decoded: at which offset, which tag, what.</summary>
public sealed class DimseCommandFormatException(long offset, uint? tag, string what)
    : DicomNetworkException($"malformed command set at offset {offset}{(tag is { } t ? $", tag ({t >> 16:X4},{t & 0xFFFF:X4})" : "")}: {what}")
{
    public long Offset { get; } = offset;
    public uint? Tag { get; } = tag;
    public override AbortReason? AbortReason => UpperLayer.AbortReason.InvalidPduParameterValue;
}

/// <summary>ARTIM or the idle timeout expired.</summary>
public sealed class DicomNetworkTimeoutException(string waitingFor, TimeSpan timeout)
    : DicomNetworkException($"no {waitingFor} within {timeout.TotalSeconds:0.###} s")
{
    public string WaitingFor { get; } = waitingFor;
    public TimeSpan Timeout { get; } = timeout;
}

/// <summary>The peer rejected our A-ASSOCIATE-RQ.</summary>
public sealed class AssociationRejectedException(AAssociateRj reject)
    : DicomNetworkException(reject.ToString())
{
    public AAssociateRj Reject { get; } = reject;
}

/// <summary>The peer aborted the association.</summary>
public sealed class AssociationAbortedException(AAbort abort)
    : DicomNetworkException(abort.ToString())
{
    public AAbort Abort { get; } = abort;
}

/// <summary>A request that the negotiated association cannot carry (no accepted presentation context for it).</summary>
public sealed class NoPresentationContextException(string what)
    : DicomNetworkException(what);

/// <summary>A connection refused before any PDU because its address already holds
/// <see cref="DicomNetworkOptions.MaxAssociationsPerAddress"/> connections; it was closed at once.</summary>
public sealed class PeerAddressLimitException(System.Net.IPAddress address, int limit)
    : DicomNetworkException($"refused a connection from {address}: it already holds {limit} connections (the most one address may hold)")
{
    public System.Net.IPAddress Address { get; } = address;
    public int Limit { get; } = limit;
}
