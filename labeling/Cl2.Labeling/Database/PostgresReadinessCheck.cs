using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cl2.Labeling.Database;

/// <summary>Ready while PostgreSQL answers a query; recovers by itself when the server comes back.</summary>
public sealed class PostgresReadinessCheck(NpgsqlDataSource dataSource, IOptions<PostgresOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.ReadinessTimeoutSeconds));
        try
        {
            await using var command = dataSource.CreateCommand("select 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy("PostgreSQL answers");
        }
        catch (Exception exception) when (exception is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            // Connections pooled before a server restart are dead; drop them so the next check starts fresh.
            dataSource.Clear();
            return HealthCheckResult.Unhealthy(
                $"PostgreSQL does not answer ({exception.Message}). Check that the cluster runs: ./cl2 status");
        }
    }
}
