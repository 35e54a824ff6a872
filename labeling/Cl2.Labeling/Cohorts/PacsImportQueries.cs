using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Reading;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Cohorts;

public static class PacsImportQueries
{
    public static void AddFields(ObjectGraphType query) =>
        query.FieldById<PacsImportGraphType, PacsImport>("pacsImport", Roles.MlEngineer)
            .Description("How far an import from the PACS got: studies and instances so far, and its status.");
}

public static class PacsImportSubscriptions
{
    public static void AddFields(ObjectGraphType subscription) => subscription
        .Field<NonNullGraphType<StudyImportedGraphType>, StudyImported>("pacsImportProgress")
        .Description("Each study an import (or any import) brings into the archive, as it is committed.")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Argument<IdGraphType>("import")
        .ResolveStream(context =>
        {
            var importId = context.GetArgument<Guid?>("import");
            return context.RequestServices!.GetRequiredService<EventHub>()
                .Of<StudyImported, StudyImported>(imported => importId is null || imported.ImportId == importId, imported => imported);
        });
}

public sealed class PacsImportGraphType : ObjectGraphType<PacsImport>
{
    public PacsImportGraphType()
    {
        Name = "PacsImport";
        Field(import => import.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(import => import.DatasetId, type: typeof(NonNullGraphType<IdGraphType>));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>, IReadOnlyList<string>>("studyInstanceUids")
            .Resolve(context => context.Source.StudyInstanceUids);
        Field(import => import.Deidentify);
        Field(import => import.Status);
        Field(import => import.StudiesImported);
        Field(import => import.InstancesFetched);
        Field(import => import.InstancesSkipped);
        Field(import => import.CasesAdded);
        Field(import => import.FailureCode, nullable: true);
        Field(import => import.FailureReason, nullable: true);
        Field(import => import.StartedBy);
        Field(import => import.StartedAt);
        Field(import => import.FinishedAt, nullable: true);
        Field(import => import.SeriesDescription, nullable: true).Description("Only the series matching it are retrieved; null: whole studies.");
        Field(import => import.Holder, nullable: true)
            .Description("The labeling replica that runs the import (Pacs:Imports:Replica); null once it ended. Another replica takes it over when the lease runs out.");
        Field(import => import.LeaseExpiresAt, nullable: true)
            .Description("Until when the holder's lease runs unless renewed (every third of Pacs:Imports:LeaseSeconds); null once the import ended.");
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StudyImportedGraphType>>>, IReadOnlyList<StudyImported>>("studies")
            .Description("Each study recorded so far, in order: the PACS's Study Instance UID and the one it was archived under (its pseudonym in a research dataset, which the cases name).")
            .Resolve(context => context.Source.Imported ?? []);
    }
}

public sealed class StudyImportedGraphType : ObjectGraphType<StudyImported>
{
    public StudyImportedGraphType()
    {
        Name = "StudyImported";
        Field(imported => imported.ImportId, type: typeof(NonNullGraphType<IdGraphType>));
        Field(imported => imported.StudyInstanceUid);
        Field(imported => imported.ArchivedStudyInstanceUid);
        Field(imported => imported.InstancesFetched);
        Field(imported => imported.InstancesSkipped);
        Field(imported => imported.ImportedAt);
    }
}
