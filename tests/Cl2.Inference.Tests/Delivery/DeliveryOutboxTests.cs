using Cl2.Inference.Delivery;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Tests.Delivery;

/// <summary>The outbox on its own: what it writes before EnqueueAsync returns, and how it waits between attempts.</summary>
public sealed class DeliveryOutboxTests : IDisposable
{
    private const string Study = "1.2.826.0.1.3680043.10.1.3";

    private readonly string _root = Directory.CreateTempSubdirectory("cl2-outbox-").FullName;

    private static readonly DeliveryDestinationOptions Pacs = new() { Name = "PACS", Kind = DeliveryKind.DicomAe, Host = "127.0.0.1", Port = 104, CalledAeTitle = "PACS" };

    private DeliveryOutbox Outbox(DeliveryOptions options) =>
        new(Options.Create(new InferenceOptions { StoragePath = _root }), Options.Create(options), TimeProvider.System, NullLogger<DeliveryOutbox>.Instance);

    private async Task<string> ObjectAsync(params string[] attributes)
    {
        var path = await Corpus.DcmtkEncodedCopyAsync("CT_small.dcm", Directory.CreateTempSubdirectory("cl2-outbox-object-").FullName);
        var modify = new List<string> { "-nb", "-m", $"(0020,000D)={Study}" };
        foreach (var attribute in attributes)
        {
            modify.AddRange(["-i", attribute]);
        }
        (await Dcmtk.RunAsync("dcmodify", [.. modify, path])).EnsureSuccess("dcmodify");
        return path;
    }

    [Fact]
    public async Task a_queued_delivery_and_its_object_bytes_are_read_back_by_the_next_outbox()
    {
        var path = await ObjectAsync();
        var resultId = Guid.NewGuid();
        using (var first = Outbox(new DeliveryOptions { Destinations = [Pacs] }))
        {
            await first.EnqueueAsync(resultId, Study, "CT1", [path], CancellationToken.None);
        }

        using var next = Outbox(new DeliveryOptions { Destinations = [Pacs] });
        var delivery = Assert.Single(next.Undelivered());

        Assert.Equal((OutboxDelivery.IdOf(resultId, "PACS"), Study, "CT1", OutboxState.Pending, 0), (delivery.Id, delivery.StudyInstanceUid, delivery.CallingAeTitle, delivery.State, delivery.Attempts));
        Assert.Equal(await File.ReadAllBytesAsync(path), await File.ReadAllBytesAsync(next.ObjectPath(Assert.Single(delivery.Objects))));
    }

    [Fact]
    public async Task a_journal_line_a_crash_left_unfinished_is_cut_off_and_the_deliveries_before_it_kept()
    {
        var path = await ObjectAsync();
        var resultId = Guid.NewGuid();
        using (var first = Outbox(new DeliveryOptions { Destinations = [Pacs] }))
        {
            await first.EnqueueAsync(resultId, Study, "CT1", [path], CancellationToken.None);
            await File.AppendAllTextAsync(Path.Combine(first.Folder, "journal"), "{\"kind\":\"queued\",\"deliv");
        }

        using var next = Outbox(new DeliveryOptions { Destinations = [Pacs] });
        await next.EnqueueAsync(Guid.NewGuid(), Study, "CT1", [path], CancellationToken.None);

        Assert.Equal(2, next.Undelivered().Count);
        Assert.DoesNotContain("\"deliv\n", await File.ReadAllTextAsync(Path.Combine(next.Folder, "journal")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_object_lacking_the_attribute_an_xnat_template_names_is_dead_lettered_when_queued()
    {
        var path = await ObjectAsync("(0010,0020)=PAT-7");
        (await Dcmtk.RunAsync("dcmodify", ["-nb", "-ea", "(0008,0050)", path])).EnsureSuccess("dcmodify");
        var xnat = new DeliveryDestinationOptions
        {
            Name = "XNAT", Kind = DeliveryKind.Xnat, Host = "127.0.0.1", Port = 8104, CalledAeTitle = "XNAT", ProjectTemplate = "CL2", SessionTemplate = "{AccessionNumber}",
        };
        using var outbox = Outbox(new DeliveryOptions { Destinations = [Pacs, xnat] });

        await outbox.EnqueueAsync(Guid.NewGuid(), Study, "CT1", [path], CancellationToken.None);

        var byDestination = outbox.Undelivered().ToDictionary(delivery => delivery.Destination);
        Assert.Equal(OutboxState.Pending, byDestination["PACS"].State);
        Assert.Equal(OutboxState.DeadLettered, byDestination["XNAT"].State);
        Assert.Contains("has no AccessionNumber", byDestination["XNAT"].LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void the_wait_between_attempts_doubles_from_the_first_delay_up_to_the_cap_less_the_jitter_share()
    {
        using var outbox = Outbox(new DeliveryOptions { FirstRetryDelay = TimeSpan.FromSeconds(2), MaxRetryDelay = TimeSpan.FromSeconds(60), RetryJitter = 0.25 });

        Assert.Equal(
            [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(32), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1.5)],
            [outbox.RetryDelay(1, 0), outbox.RetryDelay(2, 0), outbox.RetryDelay(5, 0), outbox.RetryDelay(6, 0), outbox.RetryDelay(1000, 0), outbox.RetryDelay(1, 1)]);
    }

    [Fact]
    public void a_destination_missing_its_receiver_or_naming_an_unknown_attribute_is_refused_with_the_setting_named()
    {
        var options = new DeliveryOptions
        {
            Destinations =
            [
                new() { Name = "PACS", Kind = DeliveryKind.DicomAe, CalledAeTitle = "PACS" },
                new() { Name = "XNAT", Kind = DeliveryKind.Xnat, Host = "xnat", Port = 8104, CalledAeTitle = "XNAT", ProjectTemplate = "P", SessionTemplate = "{NoSuchKeyword}" },
            ],
        };

        var problems = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(problem => problem.ErrorMessage).ToList();

        Assert.Equal(2, problems.Count);
        Assert.Contains("Inference:Delivery:Destinations:0 (PACS): a DicomAe destination needs Host and Port", problems[0], StringComparison.Ordinal);
        Assert.Contains("Inference:Delivery:Destinations:1 (XNAT): SessionTemplate names {NoSuchKeyword}", problems[1], StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
