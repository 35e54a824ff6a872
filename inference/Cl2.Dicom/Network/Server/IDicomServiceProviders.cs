using Cl2.Dicom.Network.Dimse;

namespace Cl2.Dicom.Network.Server;

/// <summary>Answers C-ECHO. Without one, the server answers Success itself.</summary>
public interface ICEchoProvider
{
    ValueTask<DimseStatus> OnCEchoAsync(CEchoRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// Receives C-STORE. The returned status goes to the peer as is: a provider that promises durability returns Success
/// only once the instance is durable. A <see cref="CStoreRefusedException"/> becomes its status with its Error Comment; any
/// other exception becomes Processing Failure (0x0110). Either way the association goes on.
/// </summary>
public interface ICStoreProvider
{
    ValueTask<DimseStatus> OnCStoreAsync(CStoreRequest request, CancellationToken cancellationToken);
}

/// <summary>Answers C-FIND: each yielded identifier is sent as a Pending response, then Success.
/// A provider may end with a final non-pending <see cref="CFindResponse"/> of its own (a failure, say).</summary>
public interface ICFindProvider
{
    IAsyncEnumerable<CFindResponse> OnCFindAsync(CFindRequest request, CancellationToken cancellationToken);
}

/// <summary>Answers C-MOVE with the instances to send; the server stores them into the move destination over an
/// association of its own (<see cref="DicomServerOptions.MoveDestinations"/> says where that AE listens).</summary>
public interface ICMoveProvider
{
    IAsyncEnumerable<RetrieveInstance> OnCMoveAsync(CMoveRequest request, CancellationToken cancellationToken);
}

/// <summary>Answers C-GET with the instances to send back over the requesting association (C-STORE sub-operations on
/// the requestor's storage contexts, for which it must have negotiated the SCP role).</summary>
public interface ICGetProvider
{
    IAsyncEnumerable<RetrieveInstance> OnCGetAsync(CGetRequest request, CancellationToken cancellationToken);
}

/// <summary>One instance a C-GET or C-MOVE sends: its data set (no meta header) in <see cref="TransferSyntaxUid"/>, opened
/// only when its turn comes.</summary>
public sealed record RetrieveInstance(string SopClassUid, string SopInstanceUid, string TransferSyntaxUid, Func<Stream> OpenDataSet);
