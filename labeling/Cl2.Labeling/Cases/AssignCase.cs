using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;
using JasperFx;

namespace Cl2.Labeling.Cases;

/// <summary>Hand a case to an annotator. Assigning it to whoever has it already changes nothing.</summary>
public sealed record AssignCase(Guid CaseId, string Assignee)
{
    public static IReadOnlyList<CaseAssigned> Decide(Case? current, AssignCase command, string by, DateTimeOffset now)
    {
        if (current is null)
        {
            throw DomainException.NotFound(ErrorCodes.CaseNotFound, "Case", command.CaseId);
        }
        var assignee = command.Assignee.Trim();
        if (assignee.Length == 0)
        {
            throw DomainException.Invalid("assignee is required.");
        }
        return current.AssignedTo == assignee ? [] : [new CaseAssigned(current.Id, current.DatasetId, assignee, by, now)];
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<CaseGraphType>, Case>("assignCase")
        .AuthorizeWithRoles(Roles.MlEngineer, Roles.Annotator)
        .Argument<NonNullGraphType<AssignCaseInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<AssignCase>("input");
            var cancellationToken = context.CancellationToken;
            // Assignment is last-writer-wins by design; the stream check only makes a racing pair decide again.
            for (var attempt = 1; ; attempt++)
            {
                await using var session = context.Store().LightweightSession();
                var stream = await session.Events.FetchForWriting<Case>(command.CaseId, cancellationToken);
                var assigned = Decide(stream.Aggregate, command, context.Actor(), context.Now());
                if (assigned.Count == 0)
                {
                    return stream.Aggregate;
                }
                stream.AppendMany(assigned);
                try
                {
                    await session.SaveChangesAsync(cancellationToken);
                    return Case.Apply(assigned[0], stream.Aggregate!) with { Version = stream.Aggregate!.Version + 1 };
                }
                catch (ConcurrencyException) when (attempt < 3)
                {
                }
            }
        });
}

public sealed class AssignCaseInputType : AutoRegisteringInputObjectGraphType<AssignCase>
{
    public AssignCaseInputType() => Name = "AssignCaseInput";
}
