namespace Cl2.Training.Tests.Import;

/// <summary>Debian's python3-torch (apt, installed by ./cl2), running one of the scripts in Fixtures/ from that folder.</summary>
internal static class PythonTorch
{
    private const string Python = "/usr/bin/python3";

    public static Task<ProcessResult> RunAsync(string script, IEnumerable<string> arguments)
    {
        if (!File.Exists(Python))
        {
            throw new InvalidOperationException($"{Python} is missing: install the apt packages python3-torch and python3-torchvision (./cl2 up installs them).");
        }
        var fixtures = Path.GetDirectoryName(NetworkFixtures.PathOf(script))!;
        // -B: no __pycache__ beside the fixtures; PYTHONPATH: the script imports make_network_fixtures' networks.
        return ProcessRunner.RunAsync(Python, ["-B", Path.Combine(fixtures, script), .. arguments], TimeSpan.FromMinutes(3),
            new Dictionary<string, string> { ["PYTHONPATH"] = fixtures, ["OMP_NUM_THREADS"] = "2" });
    }
}
