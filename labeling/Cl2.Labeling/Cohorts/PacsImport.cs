using Marten.Schema;

namespace Cl2.Labeling.Cohorts;

// The import stream: one retrieval of studies from the PACS into the archive and a dataset. Re-running an import of the
// same studies resumes it: instances already in the archive are not fetched again.

public sealed record PacsImportStarted(
    Guid ImportId,
    Guid DatasetId,
    IReadOnlyList<string> StudyInstanceUids,
    bool Deidentify,
    bool RetainLongitudinalTemporalInformation,
    bool CleanDescriptors,
    string StartedBy,
    DateTimeOffset StartedAt,
    string? SeriesDescription = null);

/// <summary>One study is in the archive: <paramref name="InstancesFetched"/> came from the PACS, <paramref name="InstancesSkipped"/> were there already.
/// A study of which nothing matched a series filter has neither, and does not become a case.</summary>
public sealed record StudyImported(Guid ImportId, string StudyInstanceUid, string ArchivedStudyInstanceUid, int InstancesFetched, int InstancesSkipped,
    DateTimeOffset ImportedAt)
{
    public bool HasInstances() => InstancesFetched + InstancesSkipped > 0;
}

public sealed record PacsImportCompleted(Guid ImportId, int CasesAdded, DateTimeOffset CompletedAt);

public sealed record PacsImportFailed(Guid ImportId, string Code, string Reason, DateTimeOffset FailedAt);

/// <summary>A failed import goes on where it stopped (resumePacsImport).</summary>
public sealed record PacsImportResumed(Guid ImportId, string ResumedBy, DateTimeOffset ResumedAt);

/// <summary>A labeling replica runs the import until <paramref name="LeaseExpiresAt"/>: when it starts, resumes or takes
/// over one whose holder's lease ran out (<see cref="ClaimPacsImport"/>).</summary>
public sealed record PacsImportClaimed(Guid ImportId, string Replica, DateTimeOffset LeaseExpiresAt, DateTimeOffset ClaimedAt);

/// <summary>The holder, still running the import, extends its lease (every third of it).</summary>
public sealed record PacsImportLeaseRenewed(Guid ImportId, string Replica, DateTimeOffset LeaseExpiresAt, DateTimeOffset RenewedAt);

/// <summary>The holder stopped running the import before its end (its host shut down cleanly, say <paramref name="Reason"/>)
/// and gave it back: nobody holds it, and any replica may take it over at once, skipping the studies recorded.</summary>
public sealed record PacsImportReleased(Guid ImportId, string Replica, string Reason, DateTimeOffset ReleasedAt);

public enum PacsImportStatus
{
    Running,
    Completed,
    Failed,
}

/// <summary>The import aggregate, stored as an inline snapshot: what pacsImport(id) answers.</summary>
public sealed record PacsImport(
    Guid Id,
    Guid DatasetId,
    IReadOnlyList<string> StudyInstanceUids,
    bool Deidentify,
    PacsImportStatus Status,
    int StudiesImported,
    int InstancesFetched,
    int InstancesSkipped,
    int CasesAdded,
    string? FailureCode,
    string? FailureReason,
    string StartedBy,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    string? SeriesDescription = null,
    // Each study recorded so far, with the Study Instance UID it was archived under (a pseudonym when de-identified).
    IReadOnlyList<StudyImported>? Imported = null,
    // The replica that runs the import and until when (null once it finished, or before any replica claimed it).
    string? Holder = null,
    DateTimeOffset? LeaseExpiresAt = null)
{
    [Version]
    public long Version { get; set; }

    public static PacsImport Create(PacsImportStarted started) =>
        new(started.ImportId, started.DatasetId, started.StudyInstanceUids, started.Deidentify, PacsImportStatus.Running, 0, 0, 0, 0, null, null,
            started.StartedBy, started.StartedAt, null, started.SeriesDescription);

    /// <summary>A replica may take the import: it is running and nobody holds it, or its holder let the lease run out.</summary>
    public bool IsClaimable(DateTimeOffset now) => Status == PacsImportStatus.Running && (Holder is null || LeaseExpiresAt <= now);

    public bool HasRecorded(string studyInstanceUid) => Imported?.Any(imported => imported.StudyInstanceUid == studyInstanceUid) ?? false;

    public static PacsImport Apply(PacsImportClaimed claimed, PacsImport current) =>
        current with { Holder = claimed.Replica, LeaseExpiresAt = claimed.LeaseExpiresAt };

    public static PacsImport Apply(PacsImportLeaseRenewed renewed, PacsImport current) => current with { LeaseExpiresAt = renewed.LeaseExpiresAt };

    public static PacsImport Apply(PacsImportReleased released, PacsImport current) => current with { Holder = null, LeaseExpiresAt = null };

    public static PacsImport Apply(StudyImported imported, PacsImport current) => current with
    {
        StudiesImported = current.StudiesImported + 1,
        Imported = [.. current.Imported ?? [], imported],
        InstancesFetched = current.InstancesFetched + imported.InstancesFetched,
        InstancesSkipped = current.InstancesSkipped + imported.InstancesSkipped,
    };

    public static PacsImport Apply(PacsImportCompleted completed, PacsImport current) =>
        current with { Status = PacsImportStatus.Completed, CasesAdded = completed.CasesAdded, FinishedAt = completed.CompletedAt, Holder = null, LeaseExpiresAt = null };

    public static PacsImport Apply(PacsImportResumed resumed, PacsImport current) =>
        current with { Status = PacsImportStatus.Running, FailureCode = null, FailureReason = null, FinishedAt = null };

    public static PacsImport Apply(PacsImportFailed failed, PacsImport current) =>
        current with
        {
            Status = PacsImportStatus.Failed,
            FailureCode = failed.Code,
            FailureReason = failed.Reason,
            FinishedAt = failed.FailedAt,
            Holder = null,
            LeaseExpiresAt = null,
        };
}
