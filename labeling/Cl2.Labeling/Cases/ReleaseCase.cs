using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Cases;

/// <summary>The holder of a case (or an ML engineer) gives it back, so nextCase hands it to the next annotator who asks.</summary>
public sealed record ReleaseCase(Guid CaseId)
{
    public static IReadOnlyList<object> Decide(Case? current, ReleaseCase command, Caller by, DateTimeOffset now)
    {
        if (current is null)
        {
            throw DomainException.NotFound(ErrorCodes.CaseNotFound, "Case", command.CaseId);
        }
        if (current.AssignedTo is not { } holder)
        {
            return [];
        }
        CaseAssignment.RequireMayWorkOn(current, by, "release");
        return [new CaseReleased(current.Id, current.DatasetId, holder, by.Name, now)];
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<CaseGraphType>, Case>("releaseCase")
        .AuthorizeWithRoles(Roles.MlEngineer, Roles.Annotator)
        .Argument<NonNullGraphType<ReleaseCaseInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<ReleaseCase>("input");
            return (await StreamDecision.DecideAsync<Case>(context.Store(), command.CaseId,
                current => Decide(current, command, Caller.Of(context.Actor(), context.User), context.Now()), context.CancellationToken))!;
        });
}

public sealed class ReleaseCaseInputType : AutoRegisteringInputObjectGraphType<ReleaseCase>
{
    public ReleaseCaseInputType() => Name = "ReleaseCaseInput";
}
