using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Cl2.ServiceDefaults;

/// <summary>Where a process without an HTTP endpoint (the training worker) writes its health, for `./cl2 up` and exec probes.</summary>
public sealed class HealthStatusFileOptions
{
    public string? Path { get; set; }
}

/// <summary>Writes each health report to a file; the file's first line is the overall status.</summary>
public sealed class HealthStatusFilePublisher(IOptions<HealthStatusFileOptions> options) : IHealthCheckPublisher
{
    public async Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        var path = options.Value.Path;
        if (string.IsNullOrWhiteSpace(path))
        {
            return;
        }
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, report.Status + Environment.NewLine + HealthReportJson.Serialize(report), cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }
}

public static class HealthStatusFileExtensions
{
    public static IServiceCollection AddHealthStatusFile(this IServiceCollection services, string section = "Health:StatusFile")
    {
        services.AddOptions<HealthStatusFileOptions>().BindConfiguration(section);
        services.Configure<HealthCheckPublisherOptions>(publisher =>
        {
            publisher.Delay = TimeSpan.FromSeconds(1);
            publisher.Period = TimeSpan.FromSeconds(5);
        });
        services.AddSingleton<IHealthCheckPublisher, HealthStatusFilePublisher>();
        return services;
    }
}
