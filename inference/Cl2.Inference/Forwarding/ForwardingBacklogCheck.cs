using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Forwarding;

/// <summary>
/// Degraded while a study is stuck (labeling refused it <see cref="ForwardingOptions.MaxStudyAttempts"/> times), or while
/// something received has waited longer than <see cref="ForwardingOptions.BacklogDegradedAfter"/> to reach labeling. Never Unhealthy: the listener goes on accepting and keeping studies whatever labeling does, and a backlog is
/// forwarded when labeling is back.
/// </summary>
public sealed class ForwardingBacklogCheck(StudyForwarder forwarder, IOptions<ForwardingOptions> options) : IHealthCheck
{
    /// <summary>Stuck studies named in the report; the rest are counted (GET /api/inference/forwarding lists them all).</summary>
    private const int MaxStuckNamed = 3;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return Task.FromResult(HealthCheckResult.Healthy("forwarding to labeling is off (Inference:Forwarding:Enabled)"));
        }
        var status = forwarder.Status();
        if (status.StuckStudies is { Count: > 0 } stuck)
        {
            return Task.FromResult(HealthCheckResult.Degraded(
                $"{stuck.Count} studies are stuck: labeling refused each {settings.MaxStudyAttempts} times (Inference:Forwarding:MaxStudyAttempts) and they are no longer tried: " +
                string.Join("; ", stuck.Take(MaxStuckNamed).Select(study => $"{study.StudyInstanceUid} from {study.CallingAeTitle}: {study.LastError}")) +
                (stuck.Count > MaxStuckNamed ? $"; and {stuck.Count - MaxStuckNamed} more" : "") +
                ". Fix the cause (labeling's log), then POST /api/inference/forwarding/{study}/retry as an admin."));
        }
        if (status.OldestPendingSince is not { } since)
        {
            return Task.FromResult(HealthCheckResult.Healthy("every received study is in labeling"));
        }
        var summary = $"{status.Backlog.Count} studies ({status.PendingInstances} instances) pending since {since:u}" +
            (status.LastError is null ? "" : $"; labeling failed: {status.LastError}");
        return Task.FromResult(status.At - since > settings.BacklogDegradedAfter
            ? HealthCheckResult.Degraded($"{summary}. Is labeling up (./cl2 status)? GET /api/inference/forwarding lists the backlog.")
            : HealthCheckResult.Healthy(summary));
    }
}
