using Cl2.Inference.Forwarding;
using Cl2.Inference.Ingest;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Tests.Forwarding;

/// <summary>The ledger of what labeling has, and what a study's instances leave pending against it: no network.</summary>
public sealed class ForwardingLedgerTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
    private readonly string _storage = Directory.CreateTempSubdirectory("cl2-ledger-").FullName;

    public void Dispose() => Directory.Delete(_storage, recursive: true);

    private ForwardingLedger OpenLedger()
    {
        var ledger = new ForwardingLedger(Options.Create(new InferenceOptions { StoragePath = _storage }), NullLogger<ForwardingLedger>.Instance);
        ledger.Open();
        return ledger;
    }

    private static StoredInstance Instance(string study, string sop, int secondsAfterStart) =>
        new(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(sop))), 1,
            "1.2.840.10008.5.1.4.1.1.2", sop, "1.2.840.10008.1.2.1", 1000, 300, "CT1", Start.AddSeconds(secondsAfterStart),
            new Dictionary<string, string> { ["StudyInstanceUID"] = study });

    [Fact]
    public void what_was_marked_survives_a_reopen_and_an_unfinished_last_line_is_cut_off()
    {
        using (var ledger = OpenLedger())
        {
            ledger.MarkStored(["aa", "bb"]);
            ledger.MarkRecorded("1.2.3", 2);
        }
        File.AppendAllText(Path.Combine(_storage, "forwarding", "ledger"), "stored cc"); // a crash in the middle of a write

        using (var reopened = OpenLedger())
        {
            Assert.True(reopened.IsStored("aa") && reopened.IsStored("bb"));
            Assert.False(reopened.IsStored("cc"));
            Assert.Equal(2, reopened.RecordedCount("1.2.3"));
            reopened.MarkStored(["dd"]);
        }
        using var again = OpenLedger();
        Assert.True(again.IsStored("dd"));
        Assert.False(again.IsStored("cc"));
    }

    [Fact]
    public void a_study_is_pending_until_the_archive_has_every_instance_and_the_fact_has_its_count()
    {
        using var ledger = OpenLedger();
        var first = Instance("1.2.3", "1.2.3.1", 0);
        var second = Instance("1.2.3", "1.2.3.2", 5);

        var pending = ForwardingBacklog.Pending("1.2.3", [second, first], ledger);
        Assert.NotNull(pending);
        Assert.Equal([first, second], pending.ToStore);
        Assert.Equal((2, 0, Start, Start.AddSeconds(5)), (pending.InstanceCount, pending.RecordedCount, pending.PendingSince, pending.LastReceivedAt));
        Assert.False(pending.IsQuiet(Start.AddSeconds(9), TimeSpan.FromSeconds(10)));
        Assert.True(pending.IsQuiet(Start.AddSeconds(15), TimeSpan.FromSeconds(10)));

        ledger.MarkStored([first.Digest, second.Digest]);
        var stored = ForwardingBacklog.Pending("1.2.3", [first, second], ledger);
        Assert.NotNull(stored);
        Assert.Empty(stored.ToStore);
        Assert.Equal(Start.AddSeconds(5), stored.PendingSince);

        ledger.MarkRecorded("1.2.3", 2);
        Assert.Null(ForwardingBacklog.Pending("1.2.3", [first, second], ledger));
        var third = Instance("1.2.3", "1.2.3.3", 60);
        var grown = ForwardingBacklog.Pending("1.2.3", [first, second, third], ledger);
        Assert.NotNull(grown);
        Assert.Equal((3, 2), (grown.InstanceCount, grown.RecordedCount));
        Assert.Equal([third], grown.ToStore);
    }
}
