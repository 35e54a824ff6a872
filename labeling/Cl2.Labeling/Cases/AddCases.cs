using System.Text.RegularExpressions;
using Cl2.Labeling.Archive;
using Cl2.Labeling.Database;
using Cl2.Labeling.Datasets;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Cases;

/// <summary>
/// Add studies (by Study Instance UID) to a dataset as cases; studies already in it are skipped. Every study must be in the
/// archive already (a case names images an annotator and the training worker fetch from it): when one is not, nothing is
/// added and the refusal names each missing study.
/// </summary>
public sealed partial record AddCases(Guid DatasetId, IReadOnlyList<string> StudyInstanceUids)
{
    public const int MaxPerCall = 1000;

    /// <summary>How many missing studies a refusal names before it says "and N more".</summary>
    public const int MissingStudiesNamed = 20;

    /// <param name="studiesInArchive">Those of the command's studies that the archive holds.</param>
    /// <param name="caseIds">One new id per study, in the same order.</param>
    public static IReadOnlyList<CaseAdded> Decide(
        Dataset? dataset,
        IReadOnlySet<string> studiesAlreadyInDataset,
        IReadOnlySet<string> studiesInArchive,
        AddCases command,
        IReadOnlyList<Guid> caseIds,
        string by,
        DateTimeOffset now)
    {
        if (dataset is null)
        {
            throw DomainException.NotFound(ErrorCodes.DatasetNotFound, "Dataset", command.DatasetId);
        }
        if (command.StudyInstanceUids.Count is 0 or > MaxPerCall)
        {
            throw DomainException.Invalid($"Add 1 to {MaxPerCall} studies at a time.");
        }
        if (command.StudyInstanceUids.FirstOrDefault(uid => !IsUid(uid)) is { } invalid)
        {
            throw DomainException.Invalid($"'{invalid}' is not a DICOM UID (digits and dots, at most 64 characters).");
        }
        if (command.StudyInstanceUids.Where(uid => !studiesInArchive.Contains(uid)).Distinct(StringComparer.Ordinal).ToList() is { Count: > 0 } missing)
        {
            throw StudiesNotInArchive(missing);
        }
        var seen = new HashSet<string>(studiesAlreadyInDataset, StringComparer.Ordinal);
        var added = new List<CaseAdded>();
        for (var index = 0; index < command.StudyInstanceUids.Count; index++)
        {
            var uid = command.StudyInstanceUids[index];
            if (seen.Add(uid))
            {
                added.Add(new CaseAdded(caseIds[index], dataset.Id, uid, by, now));
            }
        }
        return added;
    }

    private static DomainException StudiesNotInArchive(IReadOnlyList<string> missing)
    {
        var named = string.Join(", ", missing.Take(MissingStudiesNamed));
        var more = missing.Count > MissingStudiesNamed ? $" and {missing.Count - MissingStudiesNamed} more" : "";
        return new DomainException(ErrorCodes.StudyNotInArchive,
            $"{missing.Count} of the studies are not in the archive, so no case was added: {named}{more}. Send each study to the " +
            "archive first (C-STORE to the DICOM listener, or STOW-RS to /dicomweb/studies), or import it from a PACS with " +
            "importFromPacs, which adds its cases itself.")
        {
            Details = new Dictionary<string, object?> { ["missingStudyInstanceUids"] = missing },
        };
    }

    /// <summary>PS3.5 9.1: components of digits separated by dots, no leading zeros, 64 characters at most.</summary>
    public static bool IsUid(string value) => value.Length <= 64 && UidSyntax().IsMatch(value);

    [GeneratedRegex(@"^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$")]
    private static partial Regex UidSyntax();

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<ListGraphType<NonNullGraphType<CaseGraphType>>>, IEnumerable<Case>>("addCases")
        .AuthorizeWithRoles(Roles.MlEngineer, Roles.Service)
        .Description("Adds the studies that are not in the dataset yet and returns the cases it added.")
        .Argument<NonNullGraphType<AddCasesInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<AddCases>("input");
            var archive = context.RequestServices!.GetRequiredService<ArchiveIndex>();
            // Someone adding some of the same studies at the same moment trips the unique index on dataset and study
            // (and nothing is stored): the decision is taken again, and their cases are skipped like any other.
            var added = await StreamDecision.StartManyAsync<Case, CaseAdded>(context.Store(),
                (session, cancellationToken) => DecideAsync(session, archive, command, context.Actor(), context.Now(), cancellationToken),
                @event => @event.CaseId, _ => [], context.CancellationToken);
            return added.Select(@event => Case.Create(@event) with { Version = 1 });
        });

    /// <summary><see cref="Decide"/> on the dataset, its cases of these studies and the archive as they are now.</summary>
    public static async Task<IReadOnlyList<CaseAdded>> DecideAsync(IQuerySession session, ArchiveIndex archive, AddCases command, string by,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var uids = command.StudyInstanceUids.ToArray();
        var dataset = await session.LoadAsync<Dataset>(command.DatasetId, cancellationToken);
        // Only UIDs are looked up: a refusal of the count or the syntax comes from Decide, before the archive is asked for much.
        var inArchive = uids.Length is > 0 and <= MaxPerCall && uids.All(IsUid)
            ? await archive.HeldStudiesAsync(uids, cancellationToken)
            : new HashSet<string>();
        var existing = await session.Query<Case>()
            .Where(@case => @case.DatasetId == command.DatasetId && uids.Contains(@case.StudyInstanceUid))
            .Select(@case => @case.StudyInstanceUid)
            .ToListAsync(cancellationToken);
        return Decide(dataset, existing.ToHashSet(StringComparer.Ordinal), inArchive, command, [.. uids.Select(_ => Guid.CreateVersion7())], by, now);
    }
}

public sealed class AddCasesInputType : AutoRegisteringInputObjectGraphType<AddCases>
{
    public AddCasesInputType() => Name = "AddCasesInput";
}
