using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Routing;

/// <summary>Removes a rule from the table, decided on the table version the caller saw; its history stays in the stream.</summary>
public sealed record DeleteRoutingRule(Guid RuleId, int ExpectedVersion)
{
    public static RoutingRuleDeleted Decide(RoutingTable? table, DeleteRoutingRule command, string by, DateTimeOffset now)
    {
        RoutingConcurrency.Require(table, command.ExpectedVersion);
        var rule = table?.Find(command.RuleId) ?? throw DomainException.NotFound(ErrorCodes.RoutingRuleNotFound, "Routing rule", command.RuleId);
        return new RoutingRuleDeleted(rule.Id, rule.Name, by, now);
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<RoutingTableGraphType>, RoutingTable>("deleteRoutingRule")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Argument<NonNullGraphType<DeleteRoutingRuleInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<DeleteRoutingRule>("input");
            return (await StreamDecision.DecideAsync(context.Store(), RoutingTable.StreamId, RoutingConcurrency.Expected(command.ExpectedVersion),
                table => [Decide(table, command, context.Actor(), context.Now())], context.CancellationToken))!;
        });
}

public sealed class DeleteRoutingRuleInputType : AutoRegisteringInputObjectGraphType<DeleteRoutingRule>
{
    public DeleteRoutingRuleInputType() => Name = "DeleteRoutingRuleInput";
}
