using Cl2.Labeling.Cases;
using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Models;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Labels;

/// <summary>
/// Submit a new revision of a case's label, made on top of <see cref="BaseRevision"/> (0 for the first). If someone
/// else submitted in between, the submission is refused with LABEL_REVISION_CONFLICT and kept as a conflicted revision.
/// </summary>
public sealed record SubmitLabel(Guid CaseId, int BaseRevision, LabelKind Kind, string BlobDigest)
{
    public static LabelSubmitted Decide(Case? current, SubmitLabel command, Guid labelRevisionId, string by, DateTimeOffset now)
    {
        if (current is null)
        {
            throw DomainException.NotFound(ErrorCodes.CaseNotFound, "Case", command.CaseId);
        }
        RegisterModelVersion.RequireDigest(command.BlobDigest, "blobDigest");
        if (command.BaseRevision != current.CurrentRevision)
        {
            throw Conflict(current, command, labelRevisionId);
        }
        return new LabelSubmitted(current.Id, labelRevisionId, current.CurrentRevision + 1, command.Kind, command.BlobDigest, by, now);
    }

    /// <summary>What the losing submission leaves in the case's history.</summary>
    public static LabelSubmissionConflicted Keep(Case current, SubmitLabel command, Guid labelRevisionId, string by, DateTimeOffset now) =>
        new(current.Id, labelRevisionId, command.BaseRevision, current.CurrentRevision, command.Kind, command.BlobDigest, by, now);

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
            LabelSubmitted? submitted = null;
            // A racing submission makes this one decide again on what it wrote: then the typed conflict, kept in the history.
            await StreamDecision.DecideAsync<Case>(context.Store(), command.CaseId,
                current => [submitted = Decide(current, command, labelRevisionId, context.Actor(), context.Now())],
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
