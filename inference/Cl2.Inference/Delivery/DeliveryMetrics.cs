using System.Diagnostics.Metrics;
using Cl2.ServiceDefaults;

namespace Cl2.Inference.Delivery;

/// <summary>Delivery counters on cl2's meter (<see cref="Cl2Telemetry.MeterName"/>), tagged with the destination's name.</summary>
public sealed class DeliveryMetrics
{
    public const string Sent = "cl2.deliveries.sent";
    public const string Failed = "cl2.deliveries.failed";
    public const string DeadLettered = "cl2.deliveries.dead_lettered";

    private readonly Counter<long> _sent;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _deadLettered;

    public DeliveryMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Cl2Telemetry.MeterName);
        _sent = meter.CreateCounter<long>(Sent, "{delivery}", "Deliveries whose objects a destination took.");
        _failed = meter.CreateCounter<long>(Failed, "{attempt}", "Delivery attempts that failed (each is retried, or dead-lettered when it was the last).");
        _deadLettered = meter.CreateCounter<long>(DeadLettered, "{delivery}", "Deliveries given up after their last attempt; an admin's retryDelivery tries them again.");
    }

    public void RecordSent(string destination) => _sent.Add(1, new KeyValuePair<string, object?>("destination", destination));

    public void RecordFailed(string destination) => _failed.Add(1, new KeyValuePair<string, object?>("destination", destination));

    public void RecordDeadLettered(string destination) => _deadLettered.Add(1, new KeyValuePair<string, object?>("destination", destination));
}
