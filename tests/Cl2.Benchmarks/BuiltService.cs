using Cl2.Testing;

namespace Cl2.Benchmarks;

/// <summary>A built cl2 service (its dll next to this benchmark's build, same configuration) as its own process.</summary>
public static class BuiltService
{
    public static BackgroundProcess Start(string name, string project, IReadOnlyDictionary<string, string> environment)
    {
        var folder = project.Split('.')[1].ToLowerInvariant();
        var assembly = Path.Combine(IngestBenchmark.RepositoryRoot(), folder, project, "bin", IngestBenchmark.Configuration(), "net10.0", project + ".dll");
        if (!File.Exists(assembly))
        {
            throw new FileNotFoundException($"{project} is not built (expected {assembly}); run ./cl2 bench, which builds it", assembly);
        }
        return BackgroundProcess.Start(name, "dotnet", [assembly], environment, Path.GetDirectoryName(assembly));
    }
}
