using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Reading;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Cohorts;

/// <summary>
/// Resume a failed import where it stopped: the studies it recorded are skipped, instances the archive holds are not
/// fetched again, and the same import goes on (its counters keep adding up) on the replica that claims it. Of two resumes
/// at once one wins; the other finds it RUNNING.
/// </summary>
public static class ResumePacsImport
{
    public static IReadOnlyList<object> Decide(PacsImport? import, Guid importId, string by, DateTimeOffset now) => import switch
    {
        null => throw DomainException.NotFound(ErrorCodes.PacsImportNotFound, "PACS import", importId),
        { Status: PacsImportStatus.Running } => throw DomainException.Invalid(
            $"PACS import {importId} is running; follow it with pacsImport(id). (One whose replica stopped is taken over when its lease runs out.)"),
        { Status: PacsImportStatus.Completed } => throw DomainException.Invalid(
            $"PACS import {importId} is completed; start a new one with importFromPacs to fetch what the PACS holds now."),
        _ => [new PacsImportResumed(importId, by, now)],
    };

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<PacsImportGraphType>, PacsImport>("resumePacsImport")
        .Description("Resumes a FAILED import where it stopped (after the PACS is reachable again, say); follow it with pacsImport(id).")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Argument<NonNullGraphType<IdGraphType>>("id")
        .ResolveAsync(async context =>
        {
            var importId = context.GetId("id");
            var store = context.Store();
            var by = context.Actor();
            var now = context.Now();
            var runner = context.RequestServices!.GetRequiredService<PacsImportRunner>();
            // Resumed and claimed by this replica in one commit, so no other replica's rescuer finds it unclaimed.
            var resumed = await StreamDecision.DecideAsync<PacsImport>(store, importId, import => [.. Decide(import, importId, by, now), runner.Claim(importId, now)],
                context.CancellationToken);
            runner.Start(importId);
            return resumed!;
        });
}
