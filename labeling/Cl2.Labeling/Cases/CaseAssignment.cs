using System.Security.Claims;
using Cl2.Labeling.GraphQL;

namespace Cl2.Labeling.Cases;

/// <summary>Who acts on a case, and whether they may act on cases held by someone else.</summary>
/// <param name="ActsForOthers">Radiologists (who review), ML engineers (who run datasets) and admins may label or
/// (re)assign any case; an annotator only works on cases that are free or assigned to them.</param>
public sealed record Caller(string Name, bool ActsForOthers)
{
    public static Caller Of(string name, ClaimsPrincipal? user) =>
        new(name, user is not null && (user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Radiologist) || user.IsInRole(Roles.MlEngineer)));
}

/// <summary>
/// The assignment rule: a case assigned to an annotator is theirs to label. Another annotator may neither label it nor
/// take it with assignCase, and an annotator assigns only to themselves (labeling has no directory of users until sign-in
/// at the gateway brings one, so the caller is the one user it knows to exist). Radiologists, ML engineers and admins
/// may label any case and assign it to anyone.
/// </summary>
public static class CaseAssignment
{
    public static void RequireMayWorkOn(Case current, Caller caller, string what)
    {
        if (!caller.ActsForOthers && current.AssignedTo is { } holder && holder != caller.Name)
        {
            throw new DomainException(ErrorCodes.CaseAssignedToSomeoneElse,
                $"Case {current.Id} is assigned to {holder}: an annotator may {what} only cases that are free or assigned to them. " +
                "Take the next case with nextCase, or ask an ML engineer to reassign this one.")
            {
                Details = new Dictionary<string, object?> { ["assignedTo"] = holder },
            };
        }
    }
}
