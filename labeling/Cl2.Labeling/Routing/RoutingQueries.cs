using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Builders;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Routing;

public static class RoutingQueries
{
    /// <summary>Who reads the table: the engineers who write it, and inference (service), which routes by it.</summary>
    private static readonly string[] Readers = [Roles.MlEngineer, Roles.Service];

    public static void AddFields(ObjectGraphType query) => query
        .Field<NonNullGraphType<RoutingTableGraphType>, RoutingTable>("routingRules")
        .Description("The routing table: every rule in the order inference tries them, and the table version changes are decided on.")
        .AuthorizeWithRoles(Readers)
        .ResolveAsync(async context =>
        {
            await using var session = context.Store().QuerySession();
            return await session.LoadAsync<RoutingTable>(RoutingTable.StreamId, context.CancellationToken) ?? new RoutingTable(RoutingTable.StreamId, []);
        });
}

public sealed class RoutingTableGraphType : ObjectGraphType<RoutingTable>
{
    public RoutingTableGraphType()
    {
        Name = "RoutingTable";
        Field<NonNullGraphType<IntGraphType>, long>("version")
            .Description("The table's version: 0 before the first rule; pass it as expectedVersion to change the table.")
            .Resolve(context => context.Source.Version);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RoutingRuleGraphType>>>, IReadOnlyList<RoutingRule>>("rules")
            .Description("Lowest priority first, then by name: the order inference tries them.")
            .Resolve(context => context.Source.Ordered());
    }
}

public sealed class RoutingRuleGraphType : ObjectGraphType<RoutingRule>
{
    public RoutingRuleGraphType()
    {
        Name = "RoutingRule";
        Field(rule => rule.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(rule => rule.Name);
        Field(rule => rule.Priority);
        Field(rule => rule.Workload);
        Field(rule => rule.ModelName, nullable: true);
        Condition("callingAeTitle", match => match.CallingAeTitle);
        Condition("calledAeTitle", match => match.CalledAeTitle);
        Condition("modality", match => match.Modality);
        Condition("bodyPart", match => match.BodyPart);
        Condition("sopClassUid", match => match.SopClassUid);
        Condition("seriesDescription", match => match.SeriesDescription).Description("A .NET regular expression the series description must match.");
        Field<IntGraphType, int?>("minInstances").Resolve(context => context.Source.Match.MinInstances);
        Field<IntGraphType, int?>("maxInstances").Resolve(context => context.Source.Match.MaxInstances);
        Field(rule => rule.RuleVersion).Description("1 when added; one more with each change.");
        Field(rule => rule.SavedBy);
        Field(rule => rule.SavedAt);
    }

    private FieldBuilder<RoutingRule, string?> Condition(string name, Func<RoutingMatch, string?> condition) =>
        Field<StringGraphType, string?>(name).Resolve(context => condition(context.Source.Match));
}
