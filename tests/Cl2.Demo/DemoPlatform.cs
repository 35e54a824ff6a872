using System.Globalization;
using System.Net.Http.Headers;

namespace Cl2.Demo;

/// <summary>
/// Everything the demo runs, each part real: a PostgreSQL cluster, an Orthanc playing the hospital's PACS (it knows cl2's
/// listener as <c>CL2</c>), and the four services as <c>./cl2 up</c> starts them (<see cref="PlatformLauncher"/> asks the
/// script), sign-in on, on free ports with the state in a temporary folder. What the demo sets beyond <c>up</c> is here:
/// results go back to the PACS that sent the study, studies complete after a short quiet period, and the worker takes
/// <see cref="DemoPlan.RetrainEpochs"/> for the jobs the retraining policy requests and trains <see cref="DemoPlan.Network"/>. Disposing it stops everything.
/// </summary>
public sealed class DemoPlatform : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _parts = [];
    private readonly List<BackgroundProcess> _services = [];

    /// <summary>How long inference keeps a production version before reading it again (its <c>modelPromoted</c>
    /// subscription is meant to make a promotion take effect at once; the demo does not rely on it).</summary>
    public static readonly TimeSpan ServingPollInterval = TimeSpan.FromSeconds(1);

    private DemoPlatform(string root) => Root = root;

    /// <summary>The state folder and the demo's own files (cohort, masks); deleted with the platform.</summary>
    public string Root { get; }

    public PlatformLauncher Launcher { get; private set; } = null!;

    public OrthancPeer Pacs { get; private set; } = null!;

    public static async Task<DemoPlatform> StartAsync(DemoPlan plan, Action<string> progress, CancellationToken cancellationToken)
    {
        var platform = new DemoPlatform(Directory.CreateTempSubdirectory("cl2-demo-").FullName);
        try
        {
            await platform.StartPartsAsync(plan, progress, cancellationToken).ConfigureAwait(false);
            return platform;
        }
        catch
        {
            await platform.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task StartPartsAsync(DemoPlan plan, Action<string> progress, CancellationToken cancellationToken)
    {
        var postgres = await PostgresCluster.CreateAsync(cancellationToken).ConfigureAwait(false);
        _parts.Add(postgres);
        Launcher = new PlatformLauncher(Path.Combine(Root, "state"), postgres.ConnectionString);
        Pacs = await OrthancPeer.StartAsync(new Dictionary<string, (string, int)> { ["CL2"] = ("127.0.0.1", Launcher.DicomPort) },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        _parts.Add(Pacs);
        progress($"PostgreSQL on 127.0.0.1:{postgres.Port}, Orthanc (the hospital PACS, AE {Pacs.AeTitle}) on DICOM port {Pacs.DicomPort}");

        await StartAsync(PlatformLauncher.Labeling, new Dictionary<string, string>
        {
            ["Logging__LogLevel__Default"] = "Warning",
            // Schedules are not used; a short check catches up a policy check that failed.
            ["Retraining__CheckIntervalSeconds"] = "5",
        }, cancellationToken).ConfigureAwait(false);
        await StartAsync(PlatformLauncher.Inference, new Dictionary<string, string>
        {
            // Long enough that a study the PACS sends on a loaded machine is whole before it is complete.
            ["Inference__Completeness__QuietPeriod"] = "00:00:03",
            ["Inference__Forwarding__QuietPeriod"] = "00:00:03",
            ["Inference__Processing__PollInterval"] = "00:00:00.200",
            ["Inference__Routing__RefreshInterval"] = "00:00:01",
            ["Inference__Serving__PollInterval"] = ServingPollInterval.ToString("c", CultureInfo.InvariantCulture),
            ["Inference__Delivery__PollInterval"] = "00:00:00.200",
            ["Inference__Delivery__Destinations__0__Name"] = "PACS",
            ["Inference__Delivery__Destinations__0__Kind"] = "SendingPacs",
            [$"Inference__Listener__MoveDestinations__{Pacs.AeTitle}"] = $"127.0.0.1:{Pacs.DicomPort}",
        }, cancellationToken).ConfigureAwait(false);
        await StartAsync(PlatformLauncher.Gateway, new Dictionary<string, string>(), cancellationToken).ConfigureAwait(false);
        using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) })
        {
            await UntilAsync(async () => (await http.GetAsync(new Uri(Launcher.GatewayUrl + "health/ready"), cancellationToken).ConfigureAwait(false)).IsSuccessStatusCode,
                "the gateway, labeling and inference ready", TimeSpan.FromMinutes(3), cancellationToken).ConfigureAwait(false);
        }
        await StartAsync(PlatformLauncher.Training, new Dictionary<string, string>
        {
            ["Training__Jobs__PollInterval"] = "00:00:01",
            ["Training__Jobs__Epochs"] = plan.RetrainEpochs.ToString(CultureInfo.InvariantCulture),
            ["Training__Jobs__Seed"] = plan.Seed.ToString(CultureInfo.InvariantCulture),
            ["Training__Jobs__Network"] = plan.Network.ToString(),
        }, cancellationToken).ConfigureAwait(false);
        await UntilAsync(() => Task.FromResult(File.Exists(Launcher.TrainingHealthFile) && File.ReadLines(Launcher.TrainingHealthFile).FirstOrDefault() == "Healthy"),
            "the training worker healthy", TimeSpan.FromMinutes(3), cancellationToken).ConfigureAwait(false);
        progress($"labeling, inference (DICOM listener AE CL2 on port {Launcher.DicomPort}), the gateway ({Launcher.GatewayUrl}) and the training worker ready");
    }

    /// <summary>A person signed in at the gateway's provider as the seeded user <paramref name="user"/> (a role's name).</summary>
    public async Task<Person> SignInAsync(string user, CancellationToken cancellationToken)
    {
        var http = new HttpClient { BaseAddress = new Uri(Launcher.GatewayUrl), Timeout = TimeSpan.FromMinutes(3) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Launcher.UserTokenAsync(user, cancellationToken).ConfigureAwait(false));
        return new Person(user, http);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails with the services' output when one exits or
    /// <paramref name="within"/> runs out.</summary>
    public Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan within, CancellationToken cancellationToken) =>
        ProcessWait.UntilAsync(condition, what, within, _services, pollMilliseconds: 250, cancellationToken);

    private async Task StartAsync(string service, Dictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var process = await Launcher.StartAsync(service, settings, cancellationToken: cancellationToken).ConfigureAwait(false);
        _services.Add(process);
        _parts.Add(process);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var part in Enumerable.Reverse(_parts))
        {
            await part.DisposeAsync().ConfigureAwait(false);
        }
        Directory.Delete(Root, recursive: true);
    }
}
