namespace Cl2.Labeling.Cohorts;

/// <summary>
/// Which labeling replica runs an import, decided on the import's stream: a replica claims a running import that nobody
/// holds (never claimed, or released by its holder) or whose holder's lease ran out, and the holder renews its lease while
/// it runs. Of two replicas claiming at once, the stream's version check lets one commit; the other decides again, finds
/// the import held and leaves it.
/// </summary>
public static class ClaimPacsImport
{
    /// <returns>The claim, or nothing when another replica holds the import (or it finished).</returns>
    public static IReadOnlyList<object> Decide(PacsImport? import, string replica, TimeSpan lease, DateTimeOffset now) =>
        import is not null && import.IsClaimable(now) ? [new PacsImportClaimed(import.Id, replica, now + lease, now)] : [];

    /// <summary>The holder extends its lease; an import that finished needs none. A replica that no longer holds the
    /// import (another took it over after its lease ran out) hears PACS_IMPORT_LEASE_LOST and must stop.</summary>
    public static IReadOnlyList<object> Renew(PacsImport? import, Guid importId, string replica, TimeSpan lease, DateTimeOffset now) => import switch
    {
        { Status: not PacsImportStatus.Running } => [],
        _ => [new PacsImportLeaseRenewed(RequireHolder(import, importId, replica).Id, replica, now + lease, now)],
    };

    /// <summary>The holder gives a running import back when it stops running it before its end, so that another replica
    /// need not wait for the lease to run out. A replica that no longer holds it (or an import that ended) gives nothing back.</summary>
    public static IReadOnlyList<object> Release(PacsImport? import, string replica, string reason, DateTimeOffset now) =>
        import is { Status: PacsImportStatus.Running } && import.Holder == replica ? [new PacsImportReleased(import.Id, replica, reason, now)] : [];

    /// <summary>Only the holder writes the import's progress: a replica that lost it must not count a study or end it.</summary>
    public static PacsImport RequireHolder(PacsImport? import, Guid importId, string replica) => import switch
    {
        null => throw DomainException.NotFound(ErrorCodes.PacsImportNotFound, "PACS import", importId),
        { Status: PacsImportStatus.Running } when import.Holder == replica => import,
        _ => throw new DomainException(ErrorCodes.PacsImportLeaseLost,
            $"PACS import {importId} is held by {import.Holder ?? "nobody"} ({import.Status}), not by {replica}: this replica's lease ran out and another took the import over, or it ended."),
    };
}
