namespace Cl2.EndToEnd;

/// <summary>Starts one built cl2 service as its own process, as `./cl2 up` starts it.</summary>
public static class ServiceProcess
{
    /// <param name="environmentName">Development turns on labeling's development identity (callers hold every role).</param>
    public static BackgroundProcess Start(string project, IReadOnlyDictionary<string, string> environment, string environmentName = "Production",
        string? name = null)
    {
        var assembly = BuiltAssembly(project);
        var settings = new Dictionary<string, string>(environment)
        {
            ["DOTNET_ENVIRONMENT"] = environmentName,
            ["ASPNETCORE_ENVIRONMENT"] = environmentName,
        };
        return BackgroundProcess.Start(name ?? project, "dotnet", [assembly], settings, Path.GetDirectoryName(assembly));
    }

    /// <summary>The service's build output, next to this test assembly's (same configuration).</summary>
    private static string BuiltAssembly(string project)
    {
        var folder = project.Split('.')[1].ToLowerInvariant();
        var path = Path.Combine(Repository.Root, folder, project, "bin", Repository.Configuration, "net10.0", project + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"{project} is not built (expected {path}); run ./cl2 test", path);
    }
}
