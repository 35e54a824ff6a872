using Microsoft.Extensions.Diagnostics.HealthChecks;
using Yarp.ReverseProxy.Configuration;

namespace Cl2.Gateway;

/// <summary>The gateway is ready when every backend its routes point at answers its liveness endpoint.</summary>
public sealed class BackendsReadinessCheck(IProxyConfigProvider proxyConfig, IHttpClientFactory httpClients) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var client = httpClients.CreateClient(nameof(BackendsReadinessCheck));
        client.Timeout = TimeSpan.FromSeconds(5);
        var destinations = proxyConfig.GetConfig().Clusters
            .SelectMany(cluster => (cluster.Destinations ?? new Dictionary<string, DestinationConfig>())
                .Select(destination => (cluster.ClusterId, destination.Value.Address)));
        var results = await Task.WhenAll(destinations.Select(async destination =>
        {
            var url = new Uri(new Uri(destination.Address), "/health/live");
            try
            {
                using var response = await client.GetAsync(url, cancellationToken);
                return (destination.ClusterId, Ok: response.IsSuccessStatusCode, Detail: $"{(int)response.StatusCode} from {url}");
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                return (destination.ClusterId, Ok: false, Detail: $"no answer from {url}: {exception.Message}");
            }
        }));
        var down = results.Where(result => !result.Ok).ToList();
        return down.Count == 0
            ? HealthCheckResult.Healthy(string.Join("; ", results.Select(result => $"{result.ClusterId}: {result.Detail}")))
            : HealthCheckResult.Unhealthy(string.Join("; ", down.Select(result => $"{result.ClusterId}: {result.Detail}")) + ". Start it with ./cl2 up, or see ./cl2 logs.");
    }
}
