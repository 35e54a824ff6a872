using System.Net;
using System.Net.Sockets;
using Cl2.Inference.Delivery;

namespace Cl2.Inference.Tests.Delivery;

/// <summary>
/// Two inference replicas (their own processes, stores and outboxes) against one labeling, deliveries claimed under leases
/// (docs/deploy.md, "Inference replicas"): a delivery whose holder dies is finished by the other replica, once, and a real
/// Orthanc holds each result object once.
/// </summary>
public sealed class DeliveryTakeoverTests
{
    private const string Study = "1.2.826.0.1.3680043.10.1.21";

    /// <summary>Long enough that a stalled but living holder keeps it (renewed every third), short against the waits below.</summary>
    private const int LeaseSeconds = 10;

    private static DeliveryDestinationOptions Pacs(int port) =>
        new() { Name = "PACS", Kind = DeliveryKind.DicomAe, Host = "127.0.0.1", Port = port, CalledAeTitle = "ORTHANC" };

    private static (string, string)[] Replica(string name) =>
    [
        ("Inference__Replicas__ClaimThroughLabeling", "true"),
        ("Inference__Replicas__Name", name),
        ("Inference__Replicas__DeliveryLeaseSeconds", LeaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("Inference__Replicas__DeliveryRescueInterval", "00:00:00.500"),
        ("Inference__Delivery__MaxAttempts", "1000"),
        ("Inference__Delivery__SendTimeout", "00:05:00"),
    ];

    [Fact]
    public async Task a_delivery_whose_holder_is_killed_mid_send_is_delivered_once_by_the_other_replica()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var orthanc = await OrthancPeer.StartAsync();
        // Replica A's way to the PACS accepts the connection and never answers: A holds the delivery in the middle of a send.
        using var hung = new TcpListener(IPAddress.Loopback, 0);
        hung.Start();
        var accepted = hung.AcceptTcpClientAsync();
        await using var platform = new DeliveryPlatform(Pacs(((IPEndPoint)hung.LocalEndpoint).Port));
        var labeling = await platform.StartLabelingAsync(postgres);
        var resultId = await platform.RecordResultAsync(Study);
        var ct = await platform.ResultObjectAsync("CT_small.dcm", Study, Study + ".1.1");
        var mr = await platform.ResultObjectAsync("MR_small.dcm", Study, Study + ".1.2");
        await platform.EnqueueAsync(resultId, Study, "STORESCU", ct.Path, mr.Path);
        var a = await platform.StartInferenceAsync(Replica("inference-a"));
        using var sending = await accepted.WaitAsync(TimeSpan.FromMinutes(2)); // A claimed the delivery: it sends only under its lease
        var b = await platform.StartReplicaAsync("inference-b", [Pacs(orthanc.DicomPort)], Replica("inference-b"));

        // Two leases' time with A alive and sending: A renews, so B leaves the delivery alone.
        await Task.Delay(TimeSpan.FromSeconds(2 * LeaseSeconds));
        Assert.Empty(await orthanc.InstanceUidsAsync());
        await platform.KillAsync(a);
        await platform.UntilAsync(async () => (await platform.DeliveriesAsync(resultId)).GetValueOrDefault("PACS").Status == "DELIVERED",
            "replica B to deliver the result after A's lease ran out", b, labeling);

        Assert.Equal([ct.SopInstanceUid, mr.SopInstanceUid], (await orthanc.InstanceUidsAsync()).Order());
        Assert.Equal(1, await DeliveryPlatform.SuccessesRecordedAsync(postgres, resultId, "PACS"));
    }

    [Fact]
    public async Task a_delivery_whose_holder_died_after_sending_is_recorded_delivered_once()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var orthanc = await OrthancPeer.StartAsync();
        await using var platform = new DeliveryPlatform(Pacs(orthanc.DicomPort));
        var labeling = await platform.StartLabelingAsync(postgres);
        var resultId = await platform.RecordResultAsync(Study);
        var ct = await platform.ResultObjectAsync("CT_small.dcm", Study, Study + ".2.1");
        var mr = await platform.ResultObjectAsync("MR_small.dcm", Study, Study + ".2.2");
        // What replica A leaves when it dies between the send and its record: its claim, and the objects in the PACS.
        var objects = new[]
        {
            new { digest = await platform.StoreBlobAsync(ct.Path), sopInstanceUid = ct.SopInstanceUid },
            new { digest = await platform.StoreBlobAsync(mr.Path), sopInstanceUid = mr.SopInstanceUid },
        };
        await platform.GraphQLAsync("mutation($input: ClaimDeliveryInput!) { claimDelivery(input: $input) { granted } }", new
        {
            input = new { inferenceResultId = resultId, destination = "PACS", replica = "inference-a", leaseSeconds = 3, objects, callingAeTitle = "STORESCU" },
        }, roles: "service");
        (await Dcmtk.RunAsync("storescu", ["-aet", "INFERENCE-A", "-aec", "ORTHANC", "127.0.0.1", orthanc.DicomPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ct.Path, mr.Path])).EnsureSuccess("storescu to Orthanc");

        var b = await platform.StartReplicaAsync("inference-b", [Pacs(orthanc.DicomPort)], Replica("inference-b"));
        await platform.UntilAsync(async () => (await platform.DeliveriesAsync(resultId)).GetValueOrDefault("PACS").Status == "DELIVERED",
            "replica B to deliver the result after A's lease ran out", b, labeling);

        Assert.Equal([ct.SopInstanceUid, mr.SopInstanceUid], (await orthanc.InstanceUidsAsync()).Order());
        Assert.Equal(1, await DeliveryPlatform.SuccessesRecordedAsync(postgres, resultId, "PACS"));
    }
}
