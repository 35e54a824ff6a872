using Cl2.Labeling.Cases;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;
using JasperFx;
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
            for (var attempt = 1; ; attempt++)
            {
                await using var session = context.Store().LightweightSession();
                var stream = await session.Events.FetchForWriting<Case>(command.CaseId, cancellationToken);
                stream.AppendOne(Decide(stream.Aggregate, command, context.Actor(), context.Now()));
                try
                {
                    await session.SaveChangesAsync(cancellationToken);
                    await using var reader = context.Store().QuerySession();
                    return await reader.LoadAsync<LabelRevision>(command.LabelRevisionId, cancellationToken);
                }
                catch (ConcurrencyException) when (attempt < 5)
                {
                    // Another event reached the case first; decide again on the case as it is now.
                }
            }
        });
}

public sealed class ReviewLabelInputType : AutoRegisteringInputObjectGraphType<ReviewLabel>
{
    public ReviewLabelInputType() => Name = "ReviewLabelInput";
}
