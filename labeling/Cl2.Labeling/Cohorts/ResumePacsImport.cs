using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Reading;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Cohorts;

/// <summary>
/// Resume a failed import where it stopped: the studies it recorded are skipped, instances the archive holds are not
/// fetched again, and the same import goes on (its counters keep adding up). Of two resumes at once one wins; the other
/// finds it RUNNING.
/// </summary>
public static class ResumePacsImport
{
    public static IReadOnlyList<object> Decide(PacsImport? import, Guid importId, string by, DateTimeOffset now) => import switch
    {
        null => throw DomainException.NotFound(ErrorCodes.PacsImportNotFound, "PACS import", importId),
        { Status: PacsImportStatus.Running } => throw DomainException.Invalid(
            $"PACS import {importId} is running; follow it with pacsImport(id). (One a stopped service left running resumes when the service starts.)"),
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
            var resumed = await StreamDecision.DecideAsync<PacsImport>(store, importId, import => Decide(import, importId, by, now), context.CancellationToken);
            await using var session = store.QuerySession();
            var events = (await session.Events.FetchStreamAsync(importId, token: context.CancellationToken)).Select(@event => @event.Data).ToList();
            context.RequestServices!.GetRequiredService<PacsImportRunner>()
                .Start(events.OfType<PacsImportStarted>().Single(), [.. events.OfType<StudyImported>()]);
            return resumed!;
        });
}
