using System.Text.RegularExpressions;
using k8s.Models;

namespace Cl2.EndToEnd.Deploy;

/// <summary>
/// The services' Containerfiles, read as text: no image can be built on these machines (their base images come from
/// registries they cannot reach; docs/deploy.md), so this checks what can be checked without one — each publishes its
/// own project and runs the assembly it built, its last stage runs as the unprivileged user with a health check, and it
/// listens on the port its Kubernetes manifest probes.
/// </summary>
public sealed partial class ContainerfileTests
{
    public static readonly TheoryData<string, string> Services = new()
    {
        { "labeling", "Cl2.Labeling" },
        { "inference", "Cl2.Inference" },
        { "training", "Cl2.Training" },
        { "gateway", "Cl2.Gateway" },
    };

    [GeneratedRegex(@"^FROM\s", RegexOptions.Multiline)]
    private static partial Regex From();

    private static string Read(string service) => File.ReadAllText(Path.Combine(Repository.Root, service, "Containerfile"));

    /// <summary>The Containerfile's lines after its last FROM: the stage the image is made of.</summary>
    private static string LastStage(string containerfile) => containerfile[From().Matches(containerfile)[^1].Index..];

    [Theory]
    [MemberData(nameof(Services))]
    public void each_containerfile_publishes_its_service_and_runs_the_assembly_it_built(string service, string project)
    {
        var containerfile = Read(service);

        Assert.True(File.Exists(Path.Combine(Repository.Root, service, project, project + ".csproj")), $"{service}/{project}/{project}.csproj");
        Assert.Contains($"dotnet publish {service}/{project} ", containerfile, StringComparison.Ordinal);
        Assert.Contains($"ENTRYPOINT [\"dotnet\", \"{project}.dll\"]", LastStage(containerfile), StringComparison.Ordinal);
        Assert.True(From().Matches(containerfile).Count >= 2, $"{service}/Containerfile builds in a stage of its own (multi-stage)");
    }

    [Theory]
    [InlineData("labeling")]
    [InlineData("inference")]
    [InlineData("training")]
    [InlineData("gateway")]
    public void each_image_runs_as_the_unprivileged_user_with_a_health_check(string service)
    {
        var last = LastStage(Read(service));

        Assert.Contains("\nUSER $APP_UID\n", last, StringComparison.Ordinal);
        Assert.Contains("\nHEALTHCHECK ", last, StringComparison.Ordinal);
        Assert.DoesNotContain("USER root", last, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("labeling", "labeling")]
    [InlineData("inference", "inference")]
    [InlineData("gateway", "gateway")]
    public async Task each_image_listens_on_the_port_its_manifest_probes(string service, string workload)
    {
        var rendered = await RenderedOverlay.LoadAsync("production");
        var container = rendered.PodTemplates().Single(w => w.Workload == workload).Template.Spec.Containers.Single();
        var port = container.Ports.Single(p => p.Name == "http").ContainerPort;

        Assert.Contains($"Urls=http://+:{port} ", LastStage(Read(service)), StringComparison.Ordinal);
        Assert.Equal("http", container.ReadinessProbe.HttpGet.Port.Value);
        Assert.Contains($"/dev/tcp/127.0.0.1/{port} ", LastStage(Read(service)), StringComparison.Ordinal);
        Assert.IsType<V1HTTPGetAction>(container.LivenessProbe.HttpGet);
    }
}
