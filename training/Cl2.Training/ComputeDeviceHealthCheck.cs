using Cl2.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cl2.Training;

/// <summary>Ready once libtorch has loaded and a device was chosen; a broken native install shows up here, not at the first job.</summary>
public sealed class ComputeDeviceHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var device = services.GetRequiredService<ComputeDevice>();
            return Task.FromResult(HealthCheckResult.Healthy(device.Description));
        }
        catch (Exception exception) when (exception is TypeInitializationException or DllNotFoundException or InvalidOperationException or NotSupportedException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"libtorch did not load: {exception.GetBaseException().Message}"));
        }
    }
}
