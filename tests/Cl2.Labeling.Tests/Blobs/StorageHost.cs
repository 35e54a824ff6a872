using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Cl2.Labeling.Tests.Blobs;

/// <summary>
/// The real labeling <c>Program</c> with its blob store in a fresh temp folder; PostgreSQL only where the test needs the
/// archive's index (the blob store never touches the database).
/// </summary>
public sealed class StorageHost(PostgresCluster? postgres, long? maxBlobBytes = null) : WebApplicationFactory<Program>
{
    public string BlobRoot { get; } = Directory.CreateTempSubdirectory("cl2-blobs-").FullName;

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
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (Directory.Exists(BlobRoot))
        {
            Directory.Delete(BlobRoot, recursive: true);
        }
    }
}
