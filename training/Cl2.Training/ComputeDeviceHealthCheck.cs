using Cl2.Models;
using Cl2.Models.Numerics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cl2.Training;

/// <summary>
/// Ready once libtorch has loaded, a device was chosen and the numerical self-check passed; a broken native install or
/// CPU kernels that compute wrong values show up here, not at the first job. The report says what was decided and why.
/// </summary>
public sealed class ComputeDeviceHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var device = services.GetRequiredService<ComputeDevice>();
            return Task.FromResult(HealthCheckResult.Healthy($"{device.Description}: {device.Numerics.Summary}"));
        }
        catch (NumericsCheckFailedException refused)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(refused.Message));
        }
        catch (Exception exception) when (exception is TypeInitializationException or DllNotFoundException or InvalidOperationException or NotSupportedException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"libtorch did not load: {exception.GetBaseException().Message}"));
        }
    }
}
