using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using Cl2.Dicom;
using Cl2.Dicom.Network;
using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Server;
using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Tests.Network;

/// <summary>C-FIND at the message level: identifiers travel as bytes in the context's transfer syntax.</summary>
public sealed class CFindTests
{
    /// <summary>Answers every query with the same matches, and keeps what it was asked.</summary>
    private sealed class CannedFindProvider(params byte[][] matches) : ICFindProvider
    {
        public List<CFindRequest> Requests { get; } = [];

        public async IAsyncEnumerable<CFindResponse> OnCFindAsync(CFindRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Requests.Add(request);
            foreach (var match in matches)
            {
                await Task.Yield();
                yield return CFindResponse.Match(match);
            }
        }
    }

    [Fact]
    public async Task our_scu_gets_every_match_as_pending_then_success_from_our_scp()
    {
        byte[] first = StudyIdentifier("Doe^Jane", "1.2.3.1"), second = StudyIdentifier("Roe^Rick", "1.2.3.2");
        var provider = new CannedFindProvider(first, second);
        await using var server = await TestServer.StartAsync(find: provider);
        await using var association = await DicomClientAssociation.OpenAsync("127.0.0.1", server.Port,
            new DicomClientOptions { CallingAeTitle = TestServer.KnownCaller, CalledAeTitle = TestServer.AeTitle },
            [new PresentationContext(1, DicomUids.StudyRootQueryRetrieveInformationModelFind.Value, [DicomTransferSyntax.ExplicitVRLittleEndian.Uid])], CancellationToken.None);
        var query = StudyIdentifier("", "");

        var responses = new List<CFindResponse>();
        await foreach (var response in association.FindAsync(DicomUids.StudyRootQueryRetrieveInformationModelFind.Value, query, CancellationToken.None))
        {
            responses.Add(response);
        }
        await association.ReleaseAsync(CancellationToken.None);

        Assert.Equal([DimseStatus.Pending, DimseStatus.Pending, DimseStatus.Success], responses.Select(r => r.Status));
        Assert.Equal(first, responses[0].Identifier!.Value.ToArray());
        Assert.Equal(second, responses[1].Identifier!.Value.ToArray());
        Assert.Null(responses[2].Identifier);
        var request = Assert.Single(provider.Requests);
        Assert.Equal(query, request.Identifier.ToArray());
        Assert.Equal((TestServer.KnownCaller, DicomTransferSyntax.ExplicitVRLittleEndian.Uid), (request.CallingAeTitle, request.TransferSyntaxUid));
    }

    [Fact]
    public async Task findscu_receives_the_matches_of_our_scp()
    {
        var provider = new CannedFindProvider(StudyIdentifier("Doe^Jane", "1.2.3.1"));
        await using var server = await TestServer.StartAsync(find: provider);

        var result = await Dcmtk.RunAsync("findscu", ["-S", "-xe", "-aet", "FINDSCU", "-aec", TestServer.AeTitle,
            "-k", "QueryRetrieveLevel=STUDY", "-k", "PatientName", "-k", "StudyInstanceUID", "127.0.0.1", server.Port.ToString()]);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains("Doe^Jane", result.Output + result.Error, StringComparison.Ordinal);
        var request = Assert.Single(provider.Requests);
        Assert.Contains("STUDY", Encoding.ASCII.GetString(request.Identifier.Span), StringComparison.Ordinal);
    }

    /// <summary>A Study Root identifier in Explicit VR Little Endian, written by hand: the network layer has no data set model.</summary>
    private static byte[] StudyIdentifier(string patientName, string studyInstanceUid)
    {
        var bytes = new MemoryStream();
        Element(bytes, 0x0008, 0x0052, "CS", "STUDY", (byte)' ');
        Element(bytes, 0x0010, 0x0010, "PN", patientName, (byte)' ');
        Element(bytes, 0x0020, 0x000D, "UI", studyInstanceUid, 0);
        return bytes.ToArray();
    }

    private static void Element(MemoryStream stream, ushort group, ushort element, string vr, string value, byte padding)
    {
        var text = Encoding.ASCII.GetBytes(value);
        var length = text.Length + (text.Length & 1);
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(header, group);
        BinaryPrimitives.WriteUInt16LittleEndian(header[2..], element);
        Encoding.ASCII.GetBytes(vr, header[4..]);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], (ushort)length);
        stream.Write(header);
        stream.Write(text);
        if (length != text.Length)
        {
            stream.WriteByte(padding);
        }
    }
}
