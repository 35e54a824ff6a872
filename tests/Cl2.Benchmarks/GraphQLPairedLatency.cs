using System.Diagnostics;
using System.Text;

namespace Cl2.Benchmarks;

/// <summary>
/// What the gateway adds to one request's latency, without the queueing of a loaded closed loop: one request at a time,
/// alternating direct and gateway (which one goes first alternates too), so that a change in the machine's load hits both
/// paths alike. The added latency is the median of the per-pair differences, which a load swing between two runs cannot fake.
/// The CPU time the gateway and the backend processes spent over the counted pairs is read from the kernel too: CPU per
/// request moves much less with the machine's load than latency does.
/// </summary>
internal static class GraphQLPairedLatency
{
    /// <param name="GatewayCpu">CPU milliseconds of the gateway process per request through it.</param>
    /// <param name="BackendCpu">CPU milliseconds of the backend process per request (direct and through the gateway alike).</param>
    public sealed record Result(int Pairs, double DirectP50, double GatewayP50, double AddedP50, double AddedP90, double GatewayCpu, double BackendCpu);

    public static async Task<Result> MeasureAsync(HttpClient http, Uri direct, Uri gateway, Func<int, string> body, int pairs,
        int gatewayProcessId, int backendProcessId)
    {
        var (viaDirect, viaGateway, added) = (new double[pairs], new double[pairs], new double[pairs]);
        var (gatewayCpu, backendCpu) = (TimeSpan.Zero, TimeSpan.Zero);
        for (var pair = -pairs / 10; pair < pairs; pair++)
        {
            if (pair == 0)
            {
                (gatewayCpu, backendCpu) = (Benchmarks.CpuTime.OfProcess(gatewayProcessId), Benchmarks.CpuTime.OfProcess(backendProcessId));
            }
            // Negative pairs warm both paths' connections and JIT and are not counted.
            var request = pair + pairs / 10;
            double first, second;
            if (request % 2 == 0)
            {
                first = await SendCheckedAsync(http, direct, body(2 * request));
                second = await SendCheckedAsync(http, gateway, body(2 * request + 1));
            }
            else
            {
                second = await SendCheckedAsync(http, gateway, body(2 * request));
                first = await SendCheckedAsync(http, direct, body(2 * request + 1));
            }
            if (pair >= 0)
            {
                (viaDirect[pair], viaGateway[pair], added[pair]) = (first, second, second - first);
            }
        }
        gatewayCpu = Benchmarks.CpuTime.OfProcess(gatewayProcessId) - gatewayCpu;
        backendCpu = Benchmarks.CpuTime.OfProcess(backendProcessId) - backendCpu;
        Array.Sort(viaDirect);
        Array.Sort(viaGateway);
        Array.Sort(added);
        return new Result(pairs, Median(viaDirect), Median(viaGateway), Median(added), added[(int)(0.9 * (pairs - 1))],
            gatewayCpu.TotalMilliseconds / pairs, backendCpu.TotalMilliseconds / (2 * pairs));
    }

    /// <summary>Sends one GraphQL request and returns its latency in milliseconds; anything but 200 with data and no errors throws.</summary>
    public static async Task<double> SendCheckedAsync(HttpClient http, Uri endpoint, string body)
    {
        var started = Stopwatch.GetTimestamp();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(endpoint, content);
        var text = await response.Content.ReadAsStringAsync();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!response.IsSuccessStatusCode || !text.StartsWith("{\"data\":", StringComparison.Ordinal) || text.Contains("\"errors\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{endpoint} answered {(int)response.StatusCode}: {text}");
        }
        return elapsed;
    }

    private static double Median(double[] sorted) => sorted[(sorted.Length - 1) / 2];
}
