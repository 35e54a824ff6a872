using Cl2.Dicom.Network.Client;

namespace Cl2.Dicom.Tools;

/// <summary>
/// `move HOST PORT -aem DEST -k QueryRetrieveLevel=STUDY -k StudyInstanceUID=…` (modelled on movescu): asks the peer to
/// store the matches into DEST, an AE the peer knows (its address is configured at the peer, not here; `./cl2 dicom scp`
/// can be that receiver). Progress from the pending responses, a summary, exit 0 when every sub-operation succeeded.
/// </summary>
public sealed class MoveCommand : IDicomCommand
{
    public string Name => "move";

    public string Usage => "move " + ScuArguments.Usage + " -aem DESTINATION_AE " + QueryKeys.Usage;

    public int Run(IReadOnlyList<string> arguments, TextWriter output) => Run(arguments, output, TextWriter.Null, CancellationToken.None);

    public int Run(IReadOnlyList<string> arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var scu = ScuArguments.Parse(arguments, [.. QueryKeys.ValueOptions, "-aem", "--move"], QueryKeys.Switches);
        if (scu.Rest.Count > 0)
        {
            throw new UsageException($"unexpected argument {scu.Rest[0]}");
        }
        var destination = ScuArguments.AeTitle(scu.Line.Value("-aem", "--move") ?? throw new UsageException("-aem DESTINATION_AE is needed"), "-aem");
        var identifier = QueryKeys.Identifier(scu.Line);
        var model = QueryKeys.Model(QueryKeys.Root(scu.Line), "move");
        return RunAsync().GetAwaiter().GetResult();

        async Task<int> RunAsync()
        {
            var line = new ProgressLine(error);
            await using var association = await DicomClientAssociation.OpenAsync(scu.Host, scu.Port, scu.Client, [QueryKeys.Context(1, model)], cancellationToken);
            var final = await association.MoveAsync(model, QueryKeys.Encode(identifier, association, model), destination,
                RetrieveReport.Progress(line), cancellationToken);
            // Not the command's token: after Ctrl-C the operation ends with the peer's Cancel response, and the release is still due.
            await association.ReleaseAsync(CancellationToken.None);
            return RetrieveReport.Summarize($"C-MOVE to {destination} from", scu.Peer, final, line, output, error);
        }
    }
}
