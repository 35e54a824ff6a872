using Cl2.Labeling.Blobs;
using Cl2.Labeling.Cases;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;
using Marten;
using Npgsql;

namespace Cl2.Labeling.Labels;

/// <summary>
/// Import many label revisions at once (labels made elsewhere, or migrated): all of them are stored in one
/// transaction, or none. Each is decided like <see cref="SubmitLabel"/>; several for one case chain their revisions.
/// </summary>
public sealed record ImportLabels(IReadOnlyList<SubmitLabel> Labels)
{
    public const int MaxPerCall = 10_000;

    /// <param name="cases">The current state of every case the labels name; a missing one is an error.</param>
    /// <param name="labelRevisionIds">One new id per label, in the same order.</param>
    /// <param name="stored">The blobs of the labels' digests that the blob store holds.</param>
    public static IReadOnlyList<LabelSubmitted> Decide(
        IReadOnlyDictionary<Guid, Case> cases,
        Func<BlobDigest, bool> stored,
        ImportLabels command,
        IReadOnlyList<Guid> labelRevisionIds,
        string by,
        DateTimeOffset now)
    {
        if (command.Labels.Count is 0 or > MaxPerCall)
        {
            throw DomainException.Invalid($"Import 1 to {MaxPerCall} labels at a time.");
        }
        var current = new Dictionary<Guid, Case>();
        var submitted = new List<LabelSubmitted>(command.Labels.Count);
        for (var index = 0; index < command.Labels.Count; index++)
        {
            var label = command.Labels[index];
            var state = current.GetValueOrDefault(label.CaseId) ?? cases.GetValueOrDefault(label.CaseId);
            // The same rules as one submission, conflict included; nothing is kept, since nothing is stored. An ML engineer
            // imports labels made elsewhere, so whoever holds a case does not matter.
            var @event = SubmitLabel.Decide(state, label, stored, labelRevisionIds[index], new Caller(by, ActsForOthers: true), now);
            current[label.CaseId] = Case.Apply(@event, state!);
            submitted.Add(@event);
        }
        return submitted;
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<IntGraphType>, int>("importLabels")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Description($"Stores all the label revisions in one transaction, or none, and returns how many it stored (at most {MaxPerCall}).")
        .Argument<NonNullGraphType<ImportLabelsInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<ImportLabels>("input");
            var cancellationToken = context.CancellationToken;
            var store = context.Store();
            Dictionary<Guid, Case> cases;
            string tenantId;
            await using (var session = store.QuerySession())
            {
                var caseIds = command.Labels.Select(label => label.CaseId).Distinct().ToArray();
                cases = (await session.LoadManyAsync<Case>(cancellationToken, caseIds)).ToDictionary(@case => @case.Id);
                tenantId = session.TenantId;
            }
            var blobs = context.RequestServices!.GetRequiredService<IBlobStore>();
            var stored = new HashSet<BlobDigest>();
            foreach (var digest in command.Labels.Select(label => BlobDigest.TryParse(label.BlobDigest, out var parsed) ? parsed : null).OfType<BlobDigest>().Distinct())
            {
                if (await blobs.GetInfoAsync(digest, cancellationToken) is not null)
                {
                    stored.Add(digest);
                }
            }
            var now = context.Now();
            var submitted = Decide(cases, stored.Contains, command, [.. command.Labels.Select(_ => Guid.CreateVersion7())], context.Actor(), now);
            var services = context.RequestServices!;
            // One transaction, and the version each stream was read at must still be current when it commits.
            if (await LabelImportStorage.TryWriteAsync(store, services.GetRequiredService<NpgsqlDataSource>(), tenantId, cases, submitted, now, cancellationToken)
                is not { } sequences)
            {
                throw new DomainException(ErrorCodes.LabelRevisionConflict,
                    "Someone changed some of these cases while the import ran; nothing was stored. Import again on their current revisions.");
            }
            // Marten's commit listener does not see these events: every replica's subscribers hear of them as of any other.
            services.GetRequiredService<CommittedEventsNotifier>().Committed(sequences.First, sequences.Last);
            return submitted.Count;
        });
}

public sealed class ImportLabelsInputType : AutoRegisteringInputObjectGraphType<ImportLabels>
{
    public ImportLabelsInputType() => Name = "ImportLabelsInput";
}
