using System.Text.RegularExpressions;
using Cl2.Labeling.Database;
using Cl2.Labeling.Datasets;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Cases;

/// <summary>Add studies (by Study Instance UID) to a dataset as cases; studies already in it are skipped.</summary>
public sealed partial record AddCases(Guid DatasetId, IReadOnlyList<string> StudyInstanceUids)
{
    public const int MaxPerCall = 1000;

    /// <param name="caseIds">One new id per study, in the same order.</param>
    public static IReadOnlyList<CaseAdded> Decide(
        Dataset? dataset,
        IReadOnlySet<string> studiesAlreadyInDataset,
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
            // Someone adding some of the same studies at the same moment trips the unique index on dataset and study
            // (and nothing is stored): the decision is taken again, and their cases are skipped like any other.
            var added = await StreamDecision.StartManyAsync<Case, CaseAdded>(context.Store(),
                (session, cancellationToken) => DecideAsync(session, command, context.Actor(), context.Now(), cancellationToken),
                @event => @event.CaseId, _ => [], context.CancellationToken);
            return added.Select(@event => Case.Create(@event) with { Version = 1 });
        });

    /// <summary><see cref="Decide"/> on the dataset and its cases of these studies as they are now.</summary>
    public static async Task<IReadOnlyList<CaseAdded>> DecideAsync(IQuerySession session, AddCases command, string by, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var uids = command.StudyInstanceUids.ToArray();
        var dataset = await session.LoadAsync<Dataset>(command.DatasetId, cancellationToken);
        var existing = await session.Query<Case>()
            .Where(@case => @case.DatasetId == command.DatasetId && uids.Contains(@case.StudyInstanceUid))
            .Select(@case => @case.StudyInstanceUid)
            .ToListAsync(cancellationToken);
        return Decide(dataset, existing.ToHashSet(StringComparer.Ordinal), command, [.. uids.Select(_ => Guid.CreateVersion7())], by, now);
    }
}

public sealed class AddCasesInputType : AutoRegisteringInputObjectGraphType<AddCases>
{
    public AddCasesInputType() => Name = "AddCasesInput";
}
