using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cl2.ServiceDefaults;

/// <summary>Writes a health report as JSON so that an operator sees which dependency failed and why.</summary>
public static class HealthReportJson
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(Serialize(report), context.RequestAborted);
    }

    public static string Serialize(HealthReport report) => JsonSerializer.Serialize(new
    {
        status = report.Status.ToString(),
        durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
        checks = report.Entries.Select(entry => new
        {
            name = entry.Key,
            status = entry.Value.Status.ToString(),
            description = entry.Value.Description ?? entry.Value.Exception?.Message,
            durationMs = Math.Round(entry.Value.Duration.TotalMilliseconds, 1),
        }),
    }, Options);
}
