using Cl2.Labeling.Database;

namespace Cl2.Labeling.Routing;

/// <summary>Every change of the table is decided on the table version the caller saw (0: no rule was ever saved).</summary>
public static class RoutingConcurrency
{
    public static ExpectedVersion<RoutingTable> Expected(int expectedVersion) =>
        new(expectedVersion, current => Conflict(expectedVersion, current?.Version ?? 0));

    public static void Require(RoutingTable? table, int expectedVersion)
    {
        if ((table?.Version ?? 0) != expectedVersion)
        {
            throw Conflict(expectedVersion, table?.Version ?? 0);
        }
    }

    private static DomainException Conflict(long expectedVersion, long currentVersion) =>
        new(ErrorCodes.RoutingTableConflict,
            $"The routing table changed since version {expectedVersion} (it is at {currentVersion}): reload routingRules and decide again.")
        {
            Details = new Dictionary<string, object?> { ["expectedVersion"] = expectedVersion, ["currentVersion"] = currentVersion },
        };
}
