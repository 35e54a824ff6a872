namespace Cl2.Testing;

/// <summary>DCMTK's command-line tools as test peers, always with TCP_NODELAY=1: without it loopback C-STORE crawls (Nagle and delayed ACK).</summary>
public static class Dcmtk
{
    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string> { ["TCP_NODELAY"] = "1" };

    public static Task<ProcessResult> RunAsync(string tool, IEnumerable<string> arguments, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var path = Path.Combine("/usr/bin", tool);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"DCMTK's {tool} is not installed: run ./cl2 test, which installs dcmtk.");
        }
        return ProcessRunner.RunAsync(path, arguments, timeout, Environment, cancellationToken);
    }
}
