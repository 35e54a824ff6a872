using Microsoft.Extensions.Logging;

namespace Cl2.ServiceDefaults.Audit;

/// <summary>
/// For a record queued where nobody can await it (a subscription's push, a connection's close): a failure to queue it
/// would go unseen, so it is logged as an error with what the record says (who, what, the outcome, the studies), and the
/// access is not lost silently.
/// </summary>
public static class UnawaitedAudit
{
    /// <summary>Watches <paramref name="recording"/> (what <see cref="AuditTrail.RecordAsync"/> answered) without waiting for it.</summary>
    public static void Observe(ValueTask recording, AuditRecord record, ILogger logger)
    {
        if (!recording.IsCompletedSuccessfully)
        {
            _ = LogFailureAsync(recording.AsTask(), record, logger);
        }
    }

    private static async Task LogFailureAsync(Task recording, AuditRecord record, ILogger logger)
    {
        try
        {
            await recording;
        }
        catch (Exception exception)
        {
            logger.LogError(exception,
                "The audit record of {Operation} for {User} ({Outcome}; studies {Studies}) could not be queued for the audit store and is not in the access audit",
                record.Operation, record.UserId, record.OutcomeDescription, string.Join(", ", record.StudyInstanceUids));
        }
    }
}
