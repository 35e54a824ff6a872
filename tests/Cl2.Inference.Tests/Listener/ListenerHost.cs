using Cl2.Inference.Ingest;
using Cl2.Inference.Listener;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Cl2.Inference.Tests.Listener;

/// <summary>The real inference host in-process, its DICOM listener on a port the system picks, an empty store of its own.</summary>
internal sealed class ListenerHost(IReadOnlyDictionary<string, string> settings, string? storage = null) : WebApplicationFactory<Program>
{
    public string Storage { get; } = storage ?? Directory.CreateTempSubdirectory("cl2-listener-").FullName;

    /// <summary>The host's environment: Development unless a test asks for another (the peer table applies outside it).</summary>
    public string Environment { get; init; } = "Development";

    /// <summary>Whether disposing deletes <see cref="Storage"/> (a test that restarts over one store keeps it).</summary>
    public bool KeepStorage { get; init; }

    public int Port => Services.GetRequiredService<DicomListener>().Port;

    /// <summary>The TLS port, when TLS has a port of its own.</summary>
    public int TlsPort => Services.GetRequiredService<DicomListener>().TlsPort ?? throw new InvalidOperationException("TLS has no port of its own");

    public InstanceStore Store => Services.GetRequiredService<InstanceStore>();

    /// <summary>Whether callers are read from the development identity headers (see <see cref="PlatformLauncher.HeaderIdentity"/>);
    /// only in Development: a host that runs in Production never reads them.</summary>
    public bool HeaderIdentity { get; init; } = true;

    /// <summary>Where the host's log lines go besides its console, when a test wants to read them.</summary>
    public CapturedLog? Log { get; init; }

    /// <summary>Starts the host; settings are configuration keys below Inference:Listener.</summary>
    public static ListenerHost Start(params (string Key, string Value)[] settings) => Start(null, settings);

    /// <summary>Starts the host with its log captured in <paramref name="log"/>.</summary>
    public static ListenerHost Start(CapturedLog? log, params (string Key, string Value)[] settings) => Start(new ListenerHost(Prefixed(settings)) { Log = log });

    /// <summary>Starts the host in Production, where only the peers of <c>Peers</c> are served.</summary>
    public static ListenerHost StartInProduction(CapturedLog? log, params (string Key, string Value)[] settings) =>
        Start(new ListenerHost(Prefixed(settings)) { Log = log, Environment = "Production" });

    /// <summary>Builds and starts <paramref name="host"/>, hosted services included.</summary>
    public static ListenerHost Start(ListenerHost host)
    {
        _ = host.Services;
        return host;
    }

    /// <summary>Settings below Inference:Listener as configuration keys.</summary>
    public static Dictionary<string, string> Prefixed((string Key, string Value)[] settings) =>
        settings.ToDictionary(setting => $"{ListenerOptions.Section}:{setting.Key}", setting => setting.Value);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        builder.UseSetting("Inference:StoragePath", Storage);
        builder.UseSetting("Labeling:BaseAddress", $"http://127.0.0.1:{FreePort.Next()}/");
        builder.UseSetting($"{ListenerOptions.Section}:Port", "0");
        // No labeling runs beside this host to take audit records (the audit has tests of its own); with it on, the records
        // of a host whose start fails are sent at stop to nowhere, and the failed start surfaced as the factory's
        // ObjectDisposedException instead of the options' error.
        builder.UseSetting("Audit:Enabled", "false");
        // Production refuses the header identity at start, as it should; a test host in Production goes without it.
        if (HeaderIdentity && Environment == "Development")
        {
            // The API tests call with X-Cl2-User / X-Cl2-Roles (or as the default developer holding every role).
            foreach (var (key, value) in PlatformLauncher.HeaderIdentity)
            {
                builder.UseSetting(key.Replace("__", ":", StringComparison.Ordinal), value);
            }
        }
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        if (Log is { } log)
        {
            builder.ConfigureServices(services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(log));
        }
    }

    /// <summary>The stored data set bytes (meta header aside) of the latest version of an instance, checking its content address.</summary>
    public byte[] StoredDataSet(string sopInstanceUid)
    {
        var instance = Store.Versions(sopInstanceUid) is { Count: > 0 } versions ? versions[^1]
            : throw new Xunit.Sdk.XunitException($"{sopInstanceUid} is not in the store");
        using var part10 = Store.OpenPart10(instance);
        using var bytes = new MemoryStream();
        part10.CopyTo(bytes);
        var blob = bytes.ToArray();
        Assert.Equal(instance.Digest, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(blob)));
        return blob[(int)instance.DataSetOffset..];
    }

    /// <summary>How many times <paramref name="bytes"/> occur in the store's files: whatever their layout, an instance
    /// kept once is there once.</summary>
    public int CopiesOnDisk(byte[] bytes) =>
        Directory.EnumerateFiles(Store.Folder, "*", SearchOption.AllDirectories).Sum(path =>
        {
            var content = File.ReadAllBytes(path).AsSpan();
            var copies = 0;
            for (var at = content.IndexOf(bytes); at >= 0; at = content.IndexOf(bytes))
            {
                copies++;
                content = content[(at + bytes.Length)..];
            }
            return copies;
        });

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (!KeepStorage)
        {
            Directory.Delete(Storage, recursive: true);
        }
    }
}
