using Cl2.Labeling.Blobs;
using Cl2.Labeling.Cases;
using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Labels;

/// <summary>
/// Submit a new revision of a case's label, made on top of <see cref="BaseRevision"/> (0 for the first). If someone
/// else submitted in between, the submission is refused with LABEL_REVISION_CONFLICT and kept as a conflicted revision.
/// The mask or annotation is uploaded first (<see cref="BlobDigest"/> names a stored blob), and an annotator labels only
/// cases that are free or assigned to them (<see cref="CaseAssignment"/>).
/// </summary>
public sealed record SubmitLabel(Guid CaseId, int BaseRevision, LabelKind Kind, string BlobDigest)
{
    /// <param name="stored">Whether the blob store holds the blob <see cref="BlobDigest"/> names.</param>
    public static LabelSubmitted Decide(Case? current, SubmitLabel command, Func<BlobDigest, bool> stored, Guid labelRevisionId, Caller by, DateTimeOffset now)
    {
        if (current is null)
        {
            throw DomainException.NotFound(ErrorCodes.CaseNotFound, "Case", command.CaseId);
        }
        var digest = BlobReference.Require(command.BlobDigest, "blobDigest");
        if (!stored(digest))
        {
            throw new DomainException(ErrorCodes.BlobNotFound,
                $"No blob {digest} is stored: upload the mask or annotation first (POST /blobs answers its digest), then submit that digest.");
        }
        CaseAssignment.RequireMayWorkOn(current, by, "label");
        if (command.BaseRevision != current.CurrentRevision)
        {
            throw Conflict(current, command, labelRevisionId);
        }
        return new LabelSubmitted(current.Id, labelRevisionId, current.CurrentRevision + 1, command.Kind, digest.ToString(), by.Name, now);
    }

    /// <summary>What the losing submission leaves in the case's history.</summary>
    public static LabelSubmissionConflicted Keep(Case current, SubmitLabel command, Guid labelRevisionId, string by, DateTimeOffset now) =>
        new(current.Id, labelRevisionId, command.BaseRevision, current.CurrentRevision, command.Kind,
            BlobReference.Require(command.BlobDigest, "blobDigest").ToString(), by, now);

    private static DomainException Conflict(Case current, SubmitLabel command, Guid labelRevisionId) =>
        new(ErrorCodes.LabelRevisionConflict,
            $"The label of case {current.Id} is at revision {current.CurrentRevision}, not {command.BaseRevision}: " +
            "your submission is kept as a conflicted revision; compare and submit again on the current revision.")
        {
            Details = new Dictionary<string, object?>
            {
                ["caseId"] = current.Id,
                ["baseRevision"] = command.BaseRevision,
                ["currentRevision"] = current.CurrentRevision,
                ["keptAsLabelRevisionId"] = labelRevisionId,
            },
        };

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<LabelRevisionGraphType>, LabelRevision>("submitLabel")
        .AuthorizeWithRoles(Roles.Annotator, Roles.Radiologist)
        .Argument<NonNullGraphType<SubmitLabelInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<SubmitLabel>("input");
            var labelRevisionId = Guid.CreateVersion7();
            var caller = Caller.Of(context.Actor(), context.User);
            var stored = Blobs.BlobDigest.TryParse(command.BlobDigest, out var digest)
                && await context.RequestServices!.GetRequiredService<IBlobStore>().GetInfoAsync(digest.Value, context.CancellationToken) is not null;
            LabelSubmitted? submitted = null;
            // A racing submission makes this one decide again on what it wrote: then the typed conflict, kept in the history.
            await StreamDecision.DecideAsync<Case>(context.Store(), command.CaseId,
                current => [submitted = Decide(current, command, _ => stored, labelRevisionId, caller, context.Now())],
                (current, refusal) => refusal.Code == ErrorCodes.LabelRevisionConflict
                    ? [Keep(current!, command, labelRevisionId, context.Actor(), context.Now())]
                    : [],
                context.CancellationToken);
            return LabelRevisionProjection.Create(submitted!);
        });
}

public sealed class SubmitLabelInputType : AutoRegisteringInputObjectGraphType<SubmitLabel>
{
    public SubmitLabelInputType() => Name = "SubmitLabelInput";
}
