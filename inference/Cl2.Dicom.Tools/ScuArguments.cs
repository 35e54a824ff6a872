using Cl2.Dicom.Network;
using Cl2.Dicom.Network.Client;

namespace Cl2.Dicom.Tools;

/// <summary>What every SCU command takes, named as DCMTK's tools name it: peer HOST PORT, our and their AE titles, timeouts.</summary>
internal sealed record ScuArguments(string Host, int Port, DicomClientOptions Client, bool Verbose, CommandLine Line, IReadOnlyList<string> Rest)
{
    public const string Usage = "[-aet OUR_AE] [-aec THEIR_AE] [-to|-ta|-td SECONDS] [-pdu BYTES] [-v] HOST PORT";

    private static readonly string[] ValueOptions = ["-aet", "--aetitle", "-aec", "--call", "-to", "--timeout", "-ta", "--acse-timeout", "-td", "--dimse-timeout", "-pdu", "--max-pdu"];
    private static readonly string[] Switches = ["-v", "--verbose"];

    public static ScuArguments Parse(IReadOnlyList<string> arguments, IEnumerable<string> moreValues, IEnumerable<string> moreSwitches)
    {
        var line = CommandLine.Parse(arguments, ValueOptions.Concat(moreValues), Switches.Concat(moreSwitches));
        if (line.Positional.Count < 2)
        {
            throw new UsageException("HOST and PORT of the peer are needed");
        }
        var defaults = new DicomNetworkOptions();
        var network = defaults with
        {
            // -to (TCP connect) and -ta (association) both bound how long we wait before the association is up.
            ArtimTimeout = Seconds(line, defaults.ArtimTimeout, "-ta", "--acse-timeout", "-to", "--timeout"),
            IdleTimeout = Seconds(line, defaults.IdleTimeout, "-td", "--dimse-timeout"),
            MaxPduLength = (uint)line.Int(line.Value("--max-pdu") is null ? "-pdu" : "--max-pdu", (int)defaults.MaxPduLength, 4096, 16 * 1024 * 1024),
        };
        var client = new DicomClientOptions
        {
            CallingAeTitle = AeTitle(line.Value("-aet", "--aetitle") ?? "CL2SCU", "-aet"),
            CalledAeTitle = AeTitle(line.Value("-aec", "--call") ?? "ANY-SCP", "-aec"),
            Network = network,
        };
        return new ScuArguments(line.Positional[0], CommandLine.Port(line.Positional[1]), client, line.Has("-v") || line.Has("--verbose"), line,
            line.Positional.Skip(2).ToList());
    }

    /// <summary>AE titles are 1-16 characters of the default repertoire without backslash or control characters (PS3.5 6.2).</summary>
    public static string AeTitle(string text, string option) =>
        text.Trim().Length is >= 1 and <= 16 && text.All(c => c is >= ' ' and <= '~' and not '\\')
            ? text.Trim()
            : throw new UsageException($"{option} '{text}' is not an AE title (1-16 printable ASCII characters, no backslash)");

    private static TimeSpan Seconds(CommandLine line, TimeSpan fallback, params string[] names)
    {
        var text = line.Value(names);
        if (text is null)
        {
            return fallback;
        }
        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : throw new UsageException($"{string.Join('/', names)} takes seconds greater than 0, not '{text}'");
    }

    public string Peer => $"{Client.CalledAeTitle}@{Host}:{Port}";
}
