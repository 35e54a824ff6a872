using System.Net;
using System.Net.Sockets;
using Cl2.Dicom;
using Cl2.Dicom.Network;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Inference.Tests.Listener;

/// <summary>A peer written byte by byte: associates for CT Image Storage and sends C-STORE data sets exactly as a test gives
/// them (a corrupt one, or one whose last fragment never comes: the probe of a peer that holds instances open).</summary>
internal sealed class RawStoreAssociation : IDisposable
{
    private const byte ContextId = 1;
    private const int FragmentLength = 64 * 1024;
    private static readonly byte[] Zeros = new byte[FragmentLength];

    private readonly TcpClient _tcp;

    private RawStoreAssociation(TcpClient tcp)
    {
        _tcp = tcp;
        Stream = tcp.GetStream();
    }

    public NetworkStream Stream { get; }

    /// <param name="from">The local address to connect from (any of 127.0.0.0/8 reaches a loopback listener).</param>
    public static async Task<RawStoreAssociation> OpenAsync(int port, string callingAeTitle, IPAddress? from = null)
    {
        var tcp = new TcpClient(new IPEndPoint(from ?? IPAddress.Loopback, 0)) { NoDelay = true };
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var association = new RawStoreAssociation(tcp);
        await association.SendAsync(new AAssociateRq("CL2", callingAeTitle,
            [new PresentationContext(ContextId, DicomUids.CTImageStorage.Value, [DicomUids.ExplicitVRLittleEndian.Value])], new UserInformation(FragmentLength * 2)));
        var reply = await new PduReader(association.Stream, new DicomNetworkOptions()).ReadAsync(TimeSpan.FromSeconds(30), "A-ASSOCIATE-AC", CancellationToken.None);
        Assert.IsType<AAssociateAc>(reply);
        return association;
    }

    /// <summary>A C-STORE-RQ command, then <paramref name="length"/> bytes of its data set, the last fragment never sent.</summary>
    public async Task StreamUnfinishedStoreAsync(string sopInstanceUid, long length)
    {
        await SendCommandAsync(sopInstanceUid, 1);
        for (var sent = 0L; sent < length; sent += FragmentLength)
        {
            await SendAsync(new PDataTf([new PresentationDataValue(ContextId, IsCommand: false, IsLastFragment: false, Zeros)]));
        }
    }

    /// <summary>A whole C-STORE of a CT data set (Explicit VR Little Endian bytes, sent as they are) and the status answered.</summary>
    public async Task<DimseStatus> StoreAsync(string sopInstanceUid, byte[] dataSet, ushort messageId = 1) =>
        (await StoreForResponseAsync(sopInstanceUid, dataSet, messageId)).Status!.Value;

    /// <summary>A whole C-STORE as <see cref="StoreAsync"/> does, and the C-STORE-RSP (its Error Comment, say).</summary>
    public async Task<DimseCommand> StoreForResponseAsync(string sopInstanceUid, byte[] dataSet, ushort messageId = 1)
    {
        await SendCommandAsync(sopInstanceUid, messageId);
        var fragments = dataSet.Chunk(FragmentLength).ToList();
        for (var i = 0; i < fragments.Count; i++)
        {
            await SendAsync(new PDataTf([new PresentationDataValue(ContextId, IsCommand: false, IsLastFragment: i == fragments.Count - 1, fragments[i])]));
        }
        var reply = await new PduReader(Stream, new DicomNetworkOptions()).ReadAsync(TimeSpan.FromSeconds(30), "C-STORE-RSP", CancellationToken.None);
        var response = DimseCommand.Decode(Assert.IsType<PDataTf>(reply).Values.Single().Data.Span);
        Assert.Equal(CommandField.CStoreRsp, response.CommandField);
        return response;
    }

    private async Task SendCommandAsync(string sopInstanceUid, ushort messageId)
    {
        var command = new DimseCommand(CommandField.CStoreRq)
        {
            AffectedSopClassUid = DicomUids.CTImageStorage.Value,
            AffectedSopInstanceUid = sopInstanceUid,
            MessageId = messageId,
            Priority = DimsePriority.Medium,
            HasDataSet = true,
        };
        await SendAsync(new PDataTf([new PresentationDataValue(ContextId, IsCommand: true, IsLastFragment: true, command.Encode())]));
    }

    public async Task AbortAsync() => await SendAsync(new AAbort(AbortSource.ServiceUser, AbortReason.NotSpecified));

    public void Dispose() => _tcp.Dispose();

    private async Task SendAsync(Pdu pdu) => await Stream.WriteAsync(PduEncoder.Encode(pdu));
}
