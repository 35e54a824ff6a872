using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Cl2.ServiceDefaults;

/// <summary>The names under which cl2's own traces and metrics are published.</summary>
public static class Cl2Telemetry
{
    public const string ActivitySourceName = "Cl2";
    public const string MeterName = "Cl2";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);
}
