namespace Cl2.Labeling.Cohorts;

/// <summary>
/// The holder records the import's progress: each study once (the counters add a study's instances only the first time
/// it is recorded, so a study a replica imported just before it lost the import is not counted again by the next), then
/// the import's end. A replica that lost the import is refused (PACS_IMPORT_LEASE_LOST).
/// </summary>
public static class RecordStudyImported
{
    public static IReadOnlyList<object> Decide(PacsImport? import, StudyImported imported, string replica) =>
        ClaimPacsImport.RequireHolder(import, imported.ImportId, replica).HasRecorded(imported.StudyInstanceUid) ? [] : [imported];

    public static IReadOnlyList<object> Complete(PacsImport? import, PacsImportCompleted completed, string replica)
    {
        ClaimPacsImport.RequireHolder(import, completed.ImportId, replica);
        return [completed];
    }

    /// <summary>A failure is recorded only by the holder; one that lost the import leaves it to the one that holds it now.</summary>
    public static IReadOnlyList<object> Fail(PacsImport? import, PacsImportFailed failed, string replica) =>
        import is { Status: PacsImportStatus.Running } && import.Holder == replica ? [failed] : [];
}
