using System.Text.RegularExpressions;

namespace Cl2.EndToEnd.Deploy;

/// <summary>
/// The training worker's Apptainer definition, read as text: Apptainer is not packaged in Debian 12 and its base image
/// comes from a registry these machines cannot reach (docs/deploy.md), so this checks what can be checked without
/// building it — that it runs the worker its own build instructions publish, from the runtime image and with the
/// writable paths the Containerfile uses, and that the Slurm batch script runs it with the scratch space bound in.
/// </summary>
public sealed partial class ApptainerDefinitionTests
{
    private static readonly string Definition = File.ReadAllText(Path.Combine(Repository.Root, "training", "deploy", "apptainer", "cl2-training-worker.def"));
    private static readonly string Containerfile = File.ReadAllText(Path.Combine(Repository.Root, "training", "Containerfile"));

    [GeneratedRegex(@"^%(\w+)\n((?:[ \t]+.*\n|\n)*)", RegexOptions.Multiline)]
    private static partial Regex Section();

    [GeneratedRegex(@"Training__\w+|Health__\w+")]
    private static partial Regex WritablePathSetting();

    private static string SectionOf(string name) =>
        Section().Matches(Definition).SingleOrDefault(match => match.Groups[1].Value == name)?.Groups[2].Value
        ?? throw new InvalidOperationException($"the definition has no %{name} section");

    [Fact]
    public void the_image_runs_the_worker_its_build_instructions_publish_on_the_containerfiles_runtime()
    {
        Assert.Contains("dotnet publish training/Cl2.Training -c Release -o publish/training", Definition, StringComparison.Ordinal);
        Assert.Matches(@"^\s*publish/training\s+/opt/cl2/training\s*$", SectionOf("files").Trim());
        Assert.Contains("exec dotnet /opt/cl2/training/Cl2.Training.dll \"$@\"", SectionOf("runscript"), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Repository.Root, "training", "Cl2.Training", "Cl2.Training.csproj")));

        Assert.Contains("\nBootstrap: docker\nFrom: mcr.microsoft.com/dotnet/aspnet:10.0\n", Definition, StringComparison.Ordinal);
        Assert.Contains("ARG DOTNET_VERSION=10.0", Containerfile, StringComparison.Ordinal);
        Assert.Contains("FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}\n", Containerfile, StringComparison.Ordinal);
    }

    [Fact]
    public void the_image_writes_only_where_its_environment_says_as_the_container_image_does()
    {
        var environment = SectionOf("environment");
        var containerEnv = Containerfile[Containerfile.IndexOf("ENV Training__", StringComparison.Ordinal)..];
        containerEnv = containerEnv[..containerEnv.IndexOf("\nVOLUME", StringComparison.Ordinal)];

        Assert.Equal(
            WritablePathSetting().Matches(containerEnv).Select(match => match.Value).Order(),
            WritablePathSetting().Matches(environment).Select(match => match.Value).Distinct().Order());
        // Each keeps a value the caller (the batch script) set: the image's file system is read-only.
        foreach (var setting in WritablePathSetting().Matches(environment).Select(match => match.Value).Distinct())
        {
            Assert.Contains($"export {setting}=\"${{{setting}:-", environment, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void the_batch_script_runs_the_image_with_its_scratch_space_bound_and_the_gpu_only_when_it_trains_on_one()
    {
        var script = File.ReadAllText(Path.Combine(Repository.Root, "training", "deploy", "slurm", "cl2-training-worker.sbatch"));

        Assert.Contains("apptainer run \"${gpu[@]}\" --bind \"$scratch\" \"$CL2_APPTAINER_IMAGE\" &", script, StringComparison.Ordinal);
        Assert.Contains("[ \"$Training__Device\" = cuda ] && gpu=(--nv)", script, StringComparison.Ordinal);
        Assert.Contains("dotnet \"$CL2_WORKER\" &", script, StringComparison.Ordinal);
    }
}
