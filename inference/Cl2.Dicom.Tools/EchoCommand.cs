using Cl2.Dicom.Network.Client;

namespace Cl2.Dicom.Tools;

/// <summary>`echo HOST PORT` (modelled on echoscu): C-ECHO over a Verification association; exit 0 when the peer answers Success.</summary>
public sealed class EchoCommand : IDicomCommand
{
    public string Name => "echo";

    public string Usage => "echo " + ScuArguments.Usage;

    public int Run(IReadOnlyList<string> arguments, TextWriter output) => Run(arguments, output, TextWriter.Null, CancellationToken.None);

    public int Run(IReadOnlyList<string> arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var scu = ScuArguments.Parse(arguments, [], []);
        if (scu.Rest.Count > 0)
        {
            throw new UsageException($"unexpected argument {scu.Rest[0]}");
        }
        var status = EchoScu.EchoAsync(scu.Host, scu.Port, scu.Client, cancellationToken).GetAwaiter().GetResult();
        output.WriteLine($"C-ECHO {scu.Client.CallingAeTitle} -> {scu.Peer}: {status}");
        return status.IsSuccess ? DicomTool.Success : DicomTool.PeerFailure;
    }
}
