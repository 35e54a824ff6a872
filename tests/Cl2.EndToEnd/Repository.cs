using System.Reflection;

namespace Cl2.EndToEnd;

/// <summary>The checkout these tests were built from, and the build configuration they were built in.</summary>
public static class Repository
{
    public static string Configuration { get; } =
        typeof(Repository).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "cl2.sln")))
        {
            folder = folder.Parent;
        }
        return folder?.FullName ?? throw new InvalidOperationException("cl2.sln not found above the test assembly");
    }
}
