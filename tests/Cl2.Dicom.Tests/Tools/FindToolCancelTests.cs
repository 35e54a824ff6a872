using System.Runtime.CompilerServices;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Server;
using Cl2.Dicom.Tools;
using Cl2.Dicom.Tests.Network;

namespace Cl2.Dicom.Tests.Tools;

/// <summary>Ctrl-C during `./cl2 dicom find` sends C-CANCEL; the tool reports the peer's Cancel and exits 3.</summary>
public sealed class FindToolCancelTests
{
    private sealed class EndlessFindProvider : ICFindProvider
    {
        public async IAsyncEnumerable<CFindResponse> OnCFindAsync(CFindRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            while (true)
            {
                await Task.Delay(20, cancellationToken);
                yield return CFindResponse.Match(request.Identifier);
            }
        }
    }

    [Fact]
    public async Task ctrl_c_during_find_cancels_the_query_at_the_peer_and_exits_3()
    {
        await using var server = await TestServer.StartAsync(find: new EndlessFindProvider());
        using var interrupt = new CancellationTokenSource();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var synchronizedOutput = TextWriter.Synchronized(output);

        var run = Task.Run(() => DicomTool.Run(["find", "-aet", TestServer.KnownCaller, "-aec", TestServer.AeTitle, "-k", "QueryRetrieveLevel=STUDY",
            "127.0.0.1", server.Port.ToString()], synchronizedOutput, error, interrupt.Token));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Printed(synchronizedOutput, output).Contains("# match 2", StringComparison.Ordinal) && DateTime.UtcNow < deadline && !run.IsCompleted)
        {
            await Task.Delay(10);
        }
        await interrupt.CancelAsync();
        var code = await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(DicomTool.PeerFailure, code);
        Assert.Contains($"final status {DimseStatus.Cancel}", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("# match 2", output.ToString(), StringComparison.Ordinal);
    }

    private static string Printed(TextWriter synchronized, StringWriter output)
    {
        lock (synchronized)
        {
            return output.ToString();
        }
    }
}
