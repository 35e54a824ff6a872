using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Network.UpperLayer;

namespace Cl2.Dicom.Tools;

/// <summary>
/// `get HOST PORT -od FOLDER -k QueryRetrieveLevel=STUDY -k StudyInstanceUID=…` (modelled on getscu): the peer sends the
/// matches back over our association as C-STORE sub-operations, which land in FOLDER as Part 10 files. We propose the
/// SCP role for the common storage SOP classes in the uncompressed syntaxes (add others with --sop-class UID).
/// </summary>
public sealed class GetCommand : IDicomCommand
{
    public string Name => "get";

    public string Usage => "get " + ScuArguments.Usage + " -od FOLDER " + QueryKeys.Usage + " [--sop-class UID]...";

    public int Run(IReadOnlyList<string> arguments, TextWriter output) => Run(arguments, output, TextWriter.Null, CancellationToken.None);

    public int Run(IReadOnlyList<string> arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var scu = ScuArguments.Parse(arguments, [.. QueryKeys.ValueOptions, "-od", "--output-directory", "--sop-class"], QueryKeys.Switches);
        if (scu.Rest.Count > 0)
        {
            throw new UsageException($"unexpected argument {scu.Rest[0]}");
        }
        var folder = scu.Line.Value("-od", "--output-directory") ?? throw new UsageException("-od FOLDER is needed");
        Directory.CreateDirectory(folder);
        var identifier = QueryKeys.Identifier(scu.Line);
        var model = QueryKeys.Model(QueryKeys.Root(scu.Line), "get");
        var storage = DicomUids.CommonStorageSopClasses.Concat(scu.Line.All("--sop-class")).Distinct().ToList();
        if (storage.Count > StoreScu.MaxPresentationContexts - 1)
        {
            throw new UsageException($"at most {StoreScu.MaxPresentationContexts - 1 - DicomUids.CommonStorageSopClasses.Count} --sop-class fit one association");
        }
        var contexts = new List<PresentationContext> { QueryKeys.Context(1, model) };
        contexts.AddRange(storage.Select((uid, i) => new PresentationContext((byte)(2 * i + 3), uid, DicomTransferSyntax.UncompressedUids)));
        var client = scu.Client with { RoleSelections = storage.Select(uid => new ScpScuRoleSelection(uid, ScuRole: false, ScpRole: true)).ToList() };
        var receiver = new FolderStoreProvider(folder, received =>
        {
            if (scu.Verbose)
            {
                error.WriteLine($"\rreceived {received.SopInstanceUid} -> {received.Path}");
            }
        });
        return RunAsync().GetAwaiter().GetResult();

        async Task<int> RunAsync()
        {
            var line = new ProgressLine(error);
            await using var association = await DicomClientAssociation.OpenAsync(scu.Host, scu.Port, client, contexts, cancellationToken);
            var final = await association.GetAsync(model, QueryKeys.Encode(identifier, association, model), receiver,
                RetrieveReport.Progress(line), cancellationToken);
            await association.ReleaseAsync(cancellationToken);
            var code = RetrieveReport.Summarize("C-GET", scu.Peer, final, line, output, error);
            output.WriteLine($"{receiver.Received.Count} instance(s) written to {folder}");
            return code;
        }
    }
}
