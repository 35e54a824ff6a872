using Cl2.Labeling.GraphQL;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Cl2.Labeling.Tests;

/// <summary>The real labeling <c>Program</c>, pointed at a throw-away PostgreSQL cluster.</summary>
/// <param name="urls">Where Kestrel listens, for tests that need a real socket (after <c>UseKestrel()</c>).</param>
/// <param name="settings">More configuration (a PACS to import from, say).</param>
/// <param name="logs">Where the host's log lines also go, for tests that check what was logged.</param>
public sealed class LabelingHost(PostgresCluster postgres, string? urls = null, IReadOnlyDictionary<string, string>? settings = null, RecordedLogs? logs = null)
    : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Postgres:ConnectionString", postgres.ConnectionString);
        builder.UseSetting("Postgres:ReadinessTimeoutSeconds", "2");
        // Blobs (masks the tests upload) outside the source tree; replicas on one database share them, as they would a store.
        builder.UseSetting("Blobs:Root", Path.Combine(Path.GetTempPath(), $"cl2-test-blobs-{postgres.Port}"));
        if (urls is not null)
        {
            builder.UseSetting("Urls", urls);
        }
        UseHeaderIdentity(builder);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }
        if (logs is not null)
        {
            builder.ConfigureLogging(logging => logging.AddProvider(logs));
        }
    }

    /// <summary>
    /// Tests call as a developer holding every role unless they send X-Cl2-User / X-Cl2-Roles themselves: the development
    /// identity headers, which labeling reads only when told to (here, by the test).
    /// </summary>
    public static void UseHeaderIdentity(IWebHostBuilder builder)
    {
        builder.UseSetting("DevelopmentIdentity:Enabled", "true");
        builder.UseSetting("DevelopmentIdentity:DefaultUser", "tester");
        for (var index = 0; index < Roles.All.Count; index++)
        {
            builder.UseSetting($"DevelopmentIdentity:DefaultRoles:{index}", Roles.All[index]);
        }
    }
}
