using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cl2.ServiceDefaults;

/// <summary>Healthy while another cl2 service answers its liveness endpoint.</summary>
public sealed class HttpDependencyHealthCheck(IHttpClientFactory httpClients, string serviceName, Func<Uri> baseAddress) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var url = new Uri(baseAddress(), "/health/live");
        try
        {
            using var client = httpClients.CreateClient(nameof(HttpDependencyHealthCheck));
            client.Timeout = TimeSpan.FromSeconds(5);
            using var response = await client.GetAsync(url, cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy($"{serviceName} answers at {url}")
                : HealthCheckResult.Unhealthy($"{serviceName} answered {(int)response.StatusCode} at {url}");
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return HealthCheckResult.Unhealthy($"{serviceName} does not answer at {url}: {exception.Message}. Is it running? (./cl2 status)");
        }
    }
}

public static class HttpDependencyHealthCheckExtensions
{
    /// <summary>Adds a readiness check that <paramref name="serviceName"/> answers at the address the options give.</summary>
    public static IHealthChecksBuilder AddServiceDependency(this IHealthChecksBuilder checks, string serviceName, Func<IServiceProvider, Uri> baseAddress)
    {
        checks.Services.AddHttpClient(nameof(HttpDependencyHealthCheck));
        return checks.Add(new HealthCheckRegistration(
            serviceName,
            services => new HttpDependencyHealthCheck(services.GetRequiredService<IHttpClientFactory>(), serviceName, () => baseAddress(services)),
            HealthStatus.Unhealthy,
            [ServiceDefaultsExtensions.ReadyTag]));
    }
}
