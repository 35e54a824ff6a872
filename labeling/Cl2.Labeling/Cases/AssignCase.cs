using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Cases;

/// <summary>Hand a case to an annotator. Assigning it to whoever has it already changes nothing.</summary>
public sealed record AssignCase(Guid CaseId, string Assignee)
{
    public const int MaxAssigneeLength = 200;

    /// <summary>See <see cref="CaseAssignment"/> for who may assign what to whom.</summary>
    public static IReadOnlyList<CaseAssigned> Decide(Case? current, AssignCase command, Caller by, DateTimeOffset now)
    {
        if (current is null)
        {
            throw DomainException.NotFound(ErrorCodes.CaseNotFound, "Case", command.CaseId);
        }
        var assignee = command.Assignee.Trim();
        if (assignee.Length is 0 or > MaxAssigneeLength || assignee.Any(character => char.IsWhiteSpace(character) || char.IsControl(character)))
        {
            throw DomainException.Invalid($"assignee is a user name: 1 to {MaxAssigneeLength} characters, no spaces.");
        }
        CaseAssignment.RequireMayWorkOn(current, by, "assign");
        if (!by.ActsForOthers && assignee != by.Name)
        {
            throw new DomainException(ErrorCodes.Forbidden,
                $"An annotator assigns cases only to themselves ({by.Name}), not to {assignee}: ask an ML engineer to assign cases to others.");
        }
        return current.AssignedTo == assignee ? [] : [new CaseAssigned(current.Id, current.DatasetId, assignee, by.Name, now)];
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
                current => Decide(current, command, Caller.Of(context.Actor(), context.User), context.Now()), context.CancellationToken);
        });
}

public sealed class AssignCaseInputType : AutoRegisteringInputObjectGraphType<AssignCase>
{
    public AssignCaseInputType() => Name = "AssignCaseInput";
}
