using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

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
            // Assignment is last-writer-wins by design; the stream check only makes a racing pair decide again.
            return await StreamDecision.DecideAsync<Case>(context.Store(), command.CaseId,
                current => Decide(current, command, context.Actor(), context.Now()), context.CancellationToken);
        });
}

public sealed class AssignCaseInputType : AutoRegisteringInputObjectGraphType<AssignCase>
{
    public AssignCaseInputType() => Name = "AssignCaseInput";
}
