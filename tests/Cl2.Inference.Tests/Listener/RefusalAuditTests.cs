using System.Net;
using Cl2.Inference.Audit;
using Cl2.Inference.Listener;
using Cl2.ServiceDefaults.Audit;

namespace Cl2.Inference.Tests.Listener;

/// <summary>The audit record of a refused association is queued as the connection closes, where nobody awaits it.</summary>
public sealed class RefusalAuditTests
{
    [Fact]
    public async Task a_refusal_record_that_fails_to_be_queued_is_logged_as_an_error_naming_the_caller_and_the_reason()
    {
        var log = new CapturedLog();
        var queueing = new TaskCompletionSource();
        var caller = $"AE{Random.Shared.Next(100_000, 999_999)}";
        var refused = DicomAccess.Refused(caller, IPAddress.Loopback, "Calling AE Title Not Recognized");

        UnawaitedAudit.Observe(new ValueTask(queueing.Task), refused, log.CreateLogger(nameof(DicomListener)));
        queueing.SetException(new InvalidOperationException("the audit trail has stopped"));

        var line = await log.LineAsync("Error:", $"A-ASSOCIATE for {caller}", "Calling AE Title Not Recognized");
        Assert.Contains("is not in the access audit", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_refusal_record_queued_at_once_logs_nothing()
    {
        var log = new CapturedLog();

        UnawaitedAudit.Observe(ValueTask.CompletedTask, DicomAccess.Refused("MODALITY", IPAddress.Loopback, "refused"), log.CreateLogger(nameof(DicomListener)));

        await Task.Yield();
        Assert.Empty(log.Lines);
    }
}
