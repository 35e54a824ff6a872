using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Cl2.Labeling.Tests.Blobs;

/// <summary>
/// The real labeling <c>Program</c> with its blob store and STOW-RS spool in fresh temp folders; PostgreSQL only where the
/// test needs the archive's index (the blob store never touches the database); <paramref name="settings"/> for more
/// configuration (archive limits, say).
/// </summary>
public sealed class StorageHost(PostgresCluster? postgres, long? maxBlobBytes = null, IReadOnlyDictionary<string, string>? settings = null)
    : WebApplicationFactory<Program>
{
    public string BlobRoot { get; } = Directory.CreateTempSubdirectory("cl2-blobs-").FullName;

    public string SpoolRoot { get; } = Directory.CreateTempSubdirectory("cl2-spool-").FullName;

    /// <summary>Every file under the store's root, temporary ones included: what a refused upload must not leave behind.</summary>
    public IReadOnlyList<string> StoredFiles => Directory.EnumerateFiles(BlobRoot, "*", SearchOption.AllDirectories).ToArray();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Postgres:ConnectionString", postgres?.ConnectionString ?? "Host=127.0.0.1;Port=1;Username=unused");
        builder.UseSetting("Postgres:ReadinessTimeoutSeconds", "2");
        if (postgres is null)
        {
            // Nothing listens at the fake database: labeling's background readers (the committed-events feed, the PACS
            // import resumer) would warn, with a stack trace, every second of every test. Errors still show.
            builder.UseSetting("Logging:LogLevel:Cl2.Labeling", "Error");
        }
        builder.UseSetting("Blobs:Root", BlobRoot);
        if (maxBlobBytes is { } limit)
        {
            builder.UseSetting("Blobs:MaxBlobBytes", limit.ToString(CultureInfo.InvariantCulture));
        }
        builder.UseSetting("Archive:SpoolPath", SpoolRoot);
        LabelingHost.UseHeaderIdentity(builder);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        foreach (var folder in new[] { BlobRoot, SpoolRoot }.Where(Directory.Exists))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
