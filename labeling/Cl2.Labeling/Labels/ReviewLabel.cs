using Cl2.Labeling.Cases;
using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Retraining;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Labels;

/// <summary>Approve or reject the current revision of a case's label.</summary>
public sealed record ReviewLabel(Guid CaseId, Guid LabelRevisionId, ReviewDecision Decision, string? Comment)
{
    public static LabelReviewed Decide(Case? current, ReviewLabel command, string by, DateTimeOffset now)
    {
        if (current is null)
        {
            throw DomainException.NotFound(ErrorCodes.CaseNotFound, "Case", command.CaseId);
        }
        if (current.CurrentRevisionId != command.LabelRevisionId)
        {
            throw new DomainException(ErrorCodes.LabelRevisionConflict,
                $"Label revision {command.LabelRevisionId} is not the current revision of case {current.Id}; review the current one.")
            {
                Details = new Dictionary<string, object?> { ["currentRevision"] = current.CurrentRevision },
            };
        }
        if (current.LabelStatus is not LabelStatus.Submitted)
        {
            throw new DomainException(ErrorCodes.LabelAlreadyReviewed, $"Revision {current.CurrentRevision} of case {current.Id} is {current.LabelStatus} already.");
        }
        return new LabelReviewed(current.Id, command.LabelRevisionId, current.CurrentRevision, command.Decision, command.Comment?.Trim(), by, now);
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<LabelRevisionGraphType>, LabelRevision>("reviewLabel")
        .AuthorizeWithRoles(Roles.Radiologist)
        .Argument<NonNullGraphType<ReviewLabelInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<ReviewLabel>("input");
            var cancellationToken = context.CancellationToken;
            var reviewed = await StreamDecision.DecideAsync<Case>(context.Store(), command.CaseId,
                current => [Decide(current, command, context.Actor(), context.Now())], cancellationToken);
            if (command.Decision == ReviewDecision.Approve && reviewed is not null)
            {
                await RetrainingTrigger.CheckDatasetAsync(context.Store(), RetrainingTrigger.ArchiveOf(context.RequestServices!), reviewed.DatasetId, context.Now(), cancellationToken);
            }
            await using var reader = context.Store().QuerySession();
            return await reader.LoadAsync<LabelRevision>(command.LabelRevisionId, cancellationToken);
        });
}

public sealed class ReviewLabelInputType : AutoRegisteringInputObjectGraphType<ReviewLabel>
{
    public ReviewLabelInputType() => Name = "ReviewLabelInput";
}
