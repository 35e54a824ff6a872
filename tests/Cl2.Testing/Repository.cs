using System.Reflection;

namespace Cl2.Testing;

/// <summary>The checkout these tests and benchmarks were built from, and the build configuration they were built in.</summary>
public static class Repository
{
    /// <summary>Debug or Release: the services and tools next to this build were built the same way.</summary>
    public static string Configuration { get; } =
        typeof(Repository).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The folder that holds cl2.sln and the <c>cl2</c> script.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The <c>./cl2</c> script.</summary>
    public static string Script => Path.Combine(Root, "cl2");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "cl2.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException($"cl2.sln not found above {AppContext.BaseDirectory}: run the tests from a checkout (./cl2 test)");
    }
}
