using System.Net;
using Cl2.Dicom.Network;
using Cl2.Dicom.Network.Association;
using Cl2.Dicom.Network.Server;

namespace Cl2.Dicom.Tools;

/// <summary>
/// `scp PORT -od FOLDER` (modelled on storescp): a stand-alone receiver that accepts C-ECHO and C-STORE of every storage
/// SOP class in the uncompressed, deflate, RLE, JPEG, JPEG-LS and JPEG 2000 syntaxes, and writes each instance as a Part 10
/// file named by its SOP Instance UID. Runs until Ctrl-C or SIGTERM, then finishes the associations in flight.
/// </summary>
public sealed class ScpCommand : IDicomCommand
{
    public string Name => "scp";

    public string Usage => "scp [-aet OUR_AE] [--allow CALLING_AE]... [--bind ADDRESS] [-od FOLDER] [-v] PORT   (port 0: any free port)";

    public int Run(IReadOnlyList<string> arguments, TextWriter output) => Run(arguments, output, TextWriter.Null, CancellationToken.None);

    public int Run(IReadOnlyList<string> arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var line = CommandLine.Parse(arguments, ["-aet", "--aetitle", "--allow", "--bind", "-od", "--output-directory", "-pdu", "--max-pdu"], ["-v", "--verbose"]);
        if (line.Positional.Count != 1)
        {
            throw new UsageException("one PORT is needed");
        }
        var port = CommandLine.Port(line.Positional[0]);
        var folder = line.Value("-od", "--output-directory") ?? ".";
        Directory.CreateDirectory(folder);
        var bind = line.Value("--bind") is { } address
            ? IPAddress.TryParse(address, out var parsed) ? parsed : throw new UsageException($"--bind '{address}' is not an IP address")
            : IPAddress.Any;
        var aeTitle = ScuArguments.AeTitle(line.Value("-aet", "--aetitle") ?? "CL2SCP", "-aet");
        var allowed = line.All("--allow").Select(a => ScuArguments.AeTitle(a, "--allow")).ToHashSet(StringComparer.Ordinal);
        var verbose = line.Has("-v") || line.Has("--verbose");
        var defaults = new DicomNetworkOptions();
        var received = 0;
        var store = new FolderStoreProvider(folder, file =>
        {
            Interlocked.Increment(ref received);
            if (verbose)
            {
                lock (output)
                {
                    output.WriteLine($"received {file.SopInstanceUid} ({file.SopClassUid}, {file.TransferSyntaxUid}) from {file.CallingAeTitle} -> {file.Path}");
                }
            }
        });
        var server = new DicomServer(new DicomServerOptions
        {
            BindAddress = bind,
            Port = port,
            Policy = new AssociationPolicy
            {
                AeTitle = aeTitle,
                AllowedCallingAeTitles = allowed,
                AbstractSyntaxes = new HashSet<string> { DicomUids.Verification.Value },
                AcceptAllStorageSopClasses = true,
                TransferSyntaxes = DicomTransferSyntax.StorageDefaultUids,
            },
            Network = defaults with { MaxPduLength = (uint)line.Int(line.Value("--max-pdu") is null ? "-pdu" : "--max-pdu", (int)defaults.MaxPduLength, 4096, 16 * 1024 * 1024) },
        }, storeProvider: store);
        server.AssociationClosed += (_, e) =>
        {
            if (e.Error is not null)
            {
                lock (output)
                {
                    error.WriteLine($"association from {e.CallingAeTitle ?? "an unknown caller"} failed: {e.Error.Message}");
                }
            }
        };
        return RunAsync().GetAwaiter().GetResult();

        async Task<int> RunAsync()
        {
            await server.StartAsync(cancellationToken);
            lock (output)
            {
                output.WriteLine($"listening on {bind}:{server.Port} as {aeTitle}" +
                    (allowed.Count == 0 ? ", any calling AE" : ", calling AEs " + string.Join(", ", allowed)) + $", writing to {Path.GetFullPath(folder)}; Ctrl-C stops");
            }
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C or SIGTERM: what this command waits for; StopAsync below closes the listener and the associations.
            }
            await server.StopAsync(CancellationToken.None);
            lock (output)
            {
                output.WriteLine($"stopped; received {Volatile.Read(ref received)} instance(s)");
            }
            return DicomTool.Success;
        }
    }
}
