using Cl2.Dicom.Network.Dimse;

namespace Cl2.Dicom.Tools;

/// <summary>Progress and summary of a C-MOVE or C-GET from its responses' sub-operation counts (PS3.4 C.4.2.1.6).</summary>
internal static class RetrieveReport
{
    public static IProgress<CRetrieveProgress> Progress(ProgressLine line) => new InlineProgress<CRetrieveProgress>(p => line.Update(() => Text(p)));

    public static string Text(CRetrieveProgress p)
    {
        var total = p.Remaining + p.Completed + p.Failed + p.Warning;
        return $"{ProgressLine.Bar(total - p.Remaining, total)} remaining {p.Remaining}, completed {p.Completed}, failed {p.Failed}, warning {p.Warning}";
    }

    public static int Summarize(string service, string peer, CRetrieveProgress final, ProgressLine line, TextWriter output, TextWriter error)
    {
        line.Finish(Text(final));
        output.WriteLine($"{service} {peer}: {final.Status}; completed {final.Completed}, failed {final.Failed}, warning {final.Warning}, " +
            $"remaining {final.Remaining} in {line.Elapsed.TotalSeconds:0.00} s");
        if (final.Status.IsSuccess && final.Failed == 0)
        {
            return DicomTool.Success;
        }
        error.WriteLine(final.Status.IsCancel
            ? $"{service}: cancelled; {final.Completed} instance(s) were retrieved before the cancel"
            : $"{service}: {final.Failed} sub-operation(s) failed (status {final.Status}); the peer's log says why for each instance; " +
              "check that the destination accepts the SOP classes and transfer syntaxes and is known to the peer");
        return DicomTool.PeerFailure;
    }
}
