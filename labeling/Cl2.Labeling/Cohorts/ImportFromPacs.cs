using Cl2.Labeling.Datasets;
using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Cohorts;

/// <summary>
/// Retrieve studies from the PACS into the archive and add them to a dataset as cases: the reviewed matches by Study
/// Instance UID, or whatever the criteria match now. When the criteria name a series description, only the matching
/// series are retrieved (with studyInstanceUids too: the criteria then only choose the series). Runs in the background;
/// pacsImport(id) shows how far it got. Running the same import again resumes it (instances already archived are not
/// fetched again).
/// </summary>
public sealed record ImportFromPacs(
    Guid DatasetId,
    IReadOnlyList<string>? StudyInstanceUids,
    PacsCriteria? Criteria,
    bool? RetainLongitudinalTemporalInformation,
    bool? CleanDescriptors)
{
    public static PacsImportStarted Decide(Dataset? dataset, ImportFromPacs command, IReadOnlyList<string> studies, bool hasPseudonymKey, int maxStudies,
        Guid importId, string by, DateTimeOffset now)
    {
        if (dataset is null)
        {
            throw DomainException.NotFound(ErrorCodes.DatasetNotFound, "Dataset", command.DatasetId);
        }
        if (studies.Count is 0 || studies.Count > maxStudies)
        {
            throw DomainException.Invalid($"Import 1 to {maxStudies} studies at a time (Pacs:MaxStudies); the criteria or list gave {studies.Count}.");
        }
        if (studies.FirstOrDefault(uid => !Cases.AddCases.IsUid(uid)) is { } invalid)
        {
            throw DomainException.Invalid($"'{invalid}' is not a DICOM UID (digits and dots, at most 64 characters).");
        }
        if (dataset.Research && !hasPseudonymKey)
        {
            throw new DomainException(ErrorCodes.PseudonymKeyMissing,
                $"Dataset {dataset.Id} is a research dataset and is de-identified on the way in, which needs Pacs:PseudonymMasterKey (at least 16 characters) set on the server.");
        }
        return new PacsImportStarted(importId, dataset.Id, [.. studies.Distinct(StringComparer.Ordinal)], dataset.Research,
            command.RetainLongitudinalTemporalInformation ?? false, command.CleanDescriptors ?? false, by, now,
            command.Criteria?.SeriesDescription is { Length: > 0 } series ? series : null);
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<PacsImportGraphType>, PacsImport>("importFromPacs")
        .Description("Starts retrieving the studies (C-GET or C-MOVE, as the server is configured) into the archive and the dataset; follow it with pacsImport(id). With criteria.seriesDescription only the matching series are retrieved. Run it again, or resumePacsImport, to resume.")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Argument<NonNullGraphType<ImportFromPacsInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<ImportFromPacs>("input");
            var services = context.RequestServices!;
            var pacs = services.GetRequiredService<PacsConnection>();
            Dataset? dataset;
            await using (var query = context.Store().QuerySession())
            {
                dataset = await query.LoadAsync<Dataset>(command.DatasetId, context.CancellationToken);
            }
            var studies = command.StudyInstanceUids
                ?? (command.Criteria is { } criteria
                    ? [.. (await PacsStudies.FindAsync(pacs, criteria, context.CancellationToken)).Select(study => study.StudyInstanceUid)]
                    : throw DomainException.Invalid("Give studyInstanceUids (the reviewed matches of pacsStudies) or criteria."));
            var started = Decide(dataset, command, studies, pacs.Options.PseudonymMasterKey.Length > 0, pacs.Options.MaxStudies,
                Guid.CreateVersion7(), context.Actor(), context.Now());
            // Started and claimed by this replica in one commit, so no other replica's rescuer finds it unclaimed.
            var runner = services.GetRequiredService<PacsImportRunner>();
            var claimed = runner.Claim(started.ImportId, started.StartedAt);
            await StreamDecision.StartAsync<PacsImport>(context.Store(), started.ImportId, [started, claimed], context.CancellationToken);
            runner.Start(started.ImportId);
            return PacsImport.Apply(claimed, PacsImport.Create(started)) with { Version = 2 };
        });
}

public sealed class ImportFromPacsInputType : AutoRegisteringInputObjectGraphType<ImportFromPacs>
{
    public ImportFromPacsInputType() => Name = "ImportFromPacsInput";
}
