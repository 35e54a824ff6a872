using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Cl2.Inference.Delivery;
using Cl2.Labeling.Client;
using Cl2.ServiceDefaults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cl2.Inference.Tests.Delivery;

/// <summary>The delivery counters on cl2's meter, read with a MeterListener while the sender runs in this process against
/// DCMTK's storescp and a port where nothing listens.</summary>
public sealed class DeliveryMetricsTests
{
    private const string Study = "1.2.826.0.1.3680043.10.1.4";

    [Fact]
    public async Task delivery_outcomes_are_counted_on_the_cl2_meter_per_destination()
    {
        await using var receiver = await StoreScpProcess.StartAsync();
        var storage = Directory.CreateTempSubdirectory("cl2-delivery-metrics-").FullName;
        var counted = new ConcurrentDictionary<(string Instrument, string Destination), long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == Cl2Telemetry.MeterName && instrument.Name.StartsWith("cl2.deliveries.", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var destination = tags.ToArray().Single(tag => tag.Key == "destination").Value as string ?? "";
            counted.AddOrUpdate((instrument.Name, destination), value, (_, total) => total + value);
        });
        listener.Start();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Inference:StoragePath"] = storage,
            ["Labeling:BaseAddress"] = $"http://127.0.0.1:{FreePort.Next()}/",
            ["Inference:Delivery:MaxAttempts"] = "2",
            ["Inference:Delivery:FirstRetryDelay"] = "00:00:00.050",
            ["Inference:Delivery:PollInterval"] = "00:00:00.050",
            ["Inference:Delivery:Destinations:0:Name"] = "storescp",
            ["Inference:Delivery:Destinations:0:Kind"] = "DicomAe",
            ["Inference:Delivery:Destinations:0:Host"] = "127.0.0.1",
            ["Inference:Delivery:Destinations:0:Port"] = receiver.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Inference:Delivery:Destinations:0:CalledAeTitle"] = StoreScpProcess.AeTitle,
            ["Inference:Delivery:Destinations:1:Name"] = "nowhere",
            ["Inference:Delivery:Destinations:1:Kind"] = "DicomAe",
            ["Inference:Delivery:Destinations:1:Host"] = "127.0.0.1",
            ["Inference:Delivery:Destinations:1:Port"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Inference:Delivery:Destinations:1:CalledAeTitle"] = "NOWHERE",
        });
        builder.Services.AddValidatedOptions<InferenceOptions>(InferenceOptions.Section);
        builder.Services.AddLabelingClient();
        builder.Services.AddResultDelivery();
        using var host = builder.Build();
        var path = await Corpus.DcmtkEncodedCopyAsync("CT_small.dcm", storage);
        await host.Services.GetRequiredService<DeliveryOutbox>().EnqueueAsync(Guid.NewGuid(), Study, "CT1", [path], CancellationToken.None);

        await host.StartAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (counted.GetValueOrDefault((DeliveryMetrics.DeadLettered, "nowhere")) == 0 || counted.GetValueOrDefault((DeliveryMetrics.Sent, "storescp")) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"counters seen: {string.Join(", ", counted)}");
            await Task.Delay(50);
        }
        await host.StopAsync();

        Assert.Equal(1, counted[(DeliveryMetrics.Sent, "storescp")]);
        Assert.Equal(2, counted[(DeliveryMetrics.Failed, "nowhere")]);
        Assert.Equal(1, counted[(DeliveryMetrics.DeadLettered, "nowhere")]);
        Assert.False(counted.ContainsKey((DeliveryMetrics.Failed, "storescp")));
        Directory.Delete(storage, recursive: true);
    }
}
