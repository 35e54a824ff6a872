namespace Cl2.Dicom.Tests.ResultObjects;

/// <summary>The peers that judge a written result object: dicom3tools' dciodvfy, DCMTK's dcmdump, python3-pydicom.</summary>
internal static class ResultObjectPeers
{
    /// <summary>dciodvfy's findings: lines starting with "Error" and with "Warning".</summary>
    public static async Task<(string[] Errors, string[] Warnings, string Output)> DciodvfyAsync(string path)
    {
        var result = await ProcessRunner.RunAsync("/usr/bin/dciodvfy", [path]);
        var output = result.Output + result.Error;
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal)).ToArray(),
            lines.Where(l => l.StartsWith("Warning", StringComparison.Ordinal)).ToArray(), output);
    }

    /// <summary>dcmdump's output and the lines in it that are warnings (W:) or errors (E:).</summary>
    public static async Task<(string[] Complaints, string Output)> DcmdumpAsync(string path)
    {
        var result = await Dcmtk.RunAsync("dcmdump", ["-dc", path]);
        var output = result.Output + result.Error;
        var complaints = output.Split('\n').Where(l => l.StartsWith("W:", StringComparison.Ordinal) || l.StartsWith("E:", StringComparison.Ordinal)).ToArray();
        return (result.ExitCode == 0 ? complaints : [.. complaints, $"exit code {result.ExitCode}"], output);
    }

    /// <summary>Runs a python3 script (with Debian's pydicom) given as text, with arguments; returns what it printed.</summary>
    public static async Task<string> PythonAsync(string script, params string[] arguments)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cl2-result-object-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(path, script);
        try
        {
            return (await ProcessRunner.RunAsync("/usr/bin/python3", [path, .. arguments])).EnsureSuccess("python3 " + Path.GetFileName(path)).Output;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
