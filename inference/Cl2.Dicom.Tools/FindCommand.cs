using Cl2.Dicom.Network.Client;

namespace Cl2.Dicom.Tools;

/// <summary>
/// `find HOST PORT -k QueryRetrieveLevel=STUDY -k PatientName=Doe* -k StudyInstanceUID` (modelled on findscu): prints each
/// match as a dump (or, with --json, all matches as a DICOM JSON array); exit 0 when the final status is Success.
/// </summary>
public sealed class FindCommand : IDicomCommand
{
    public string Name => "find";

    public string Usage => "find " + ScuArguments.Usage + " " + QueryKeys.Usage + " [--json]";

    public int Run(IReadOnlyList<string> arguments, TextWriter output) => Run(arguments, output, TextWriter.Null, CancellationToken.None);

    public int Run(IReadOnlyList<string> arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var scu = ScuArguments.Parse(arguments, QueryKeys.ValueOptions, [.. QueryKeys.Switches, "--json"]);
        if (scu.Rest.Count > 0)
        {
            throw new UsageException($"unexpected argument {scu.Rest[0]}");
        }
        var identifier = QueryKeys.Identifier(scu.Line);
        var model = QueryKeys.Model(QueryKeys.Root(scu.Line), "find");
        var json = scu.Line.Has("--json");
        return RunAsync(scu, model, identifier, json, output, error, cancellationToken).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(ScuArguments scu, string model, DicomDataset identifier, bool json, TextWriter output,
        TextWriter error, CancellationToken cancellationToken)
    {
        await using var association = await DicomClientAssociation.OpenAsync(scu.Host, scu.Port, scu.Client, [QueryKeys.Context(1, model)], cancellationToken);
        var query = QueryKeys.Encode(identifier, association, model);
        var matches = new List<DicomDataset>();
        Network.Dimse.DimseStatus final = default;
        await foreach (var response in association.FindAsync(model, query, cancellationToken))
        {
            if (response.Identifier is { } bytes && response.Status.IsPending)
            {
                var match = DicomFile.Open(new MemoryStream(bytes.ToArray(), writable: false)).Dataset;
                matches.Add(match);
                if (!json)
                {
                    output.WriteLine($"# match {matches.Count}");
                    DumpCommand.WriteDataset(output, match);
                    output.WriteLine();
                }
            }
            final = response.Status;
        }
        // Not the command's token: after Ctrl-C the operation ends with the peer's Cancel response, and the release is still due.
        await association.ReleaseAsync(CancellationToken.None);
        if (json)
        {
            output.WriteLine("[" + string.Join(",\n", matches.Select(DicomJsonWriter.Serialize)) + "]");
        }
        error.WriteLine($"C-FIND {scu.Peer}: {matches.Count} match(es), final status {final}");
        return final.IsSuccess ? DicomTool.Success : DicomTool.PeerFailure;
    }
}
