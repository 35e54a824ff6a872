using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Cl2.Inference;

/// <summary>Ready only while the storage folder accepts writes: an instance must never be acknowledged that cannot be kept.</summary>
public sealed class StorageWritableCheck(IOptions<InferenceOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var folder = Path.GetFullPath(options.Value.StoragePath);
        var probe = Path.Combine(folder, $".ready-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(folder);
            await File.WriteAllTextAsync(probe, "ok", cancellationToken);
            File.Delete(probe);
            return HealthCheckResult.Healthy($"storage {folder} is writable");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy($"storage {folder} is not writable: {exception.Message}. Free disk space or fix its permissions.");
        }
    }
}
