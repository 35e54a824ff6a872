using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Cl2.Labeling.Tests;

/// <summary>The real labeling <c>Program</c>, pointed at a throw-away PostgreSQL cluster.</summary>
public sealed class LabelingHost(PostgresCluster postgres) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Postgres:ConnectionString", postgres.ConnectionString);
        builder.UseSetting("Postgres:ReadinessTimeoutSeconds", "2");
    }
}
