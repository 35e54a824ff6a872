using Cl2.Inference.Forwarding;
using Cl2.Inference.Ingest;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Tests.Forwarding;

/// <summary>The ledger of what labeling has, and the backlog computed from it and the store's instances: no network.</summary>
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
        var other = Instance("1.2.4", "1.2.4.1", 2);

        var backlog = ForwardingBacklog.Compute([second, other, first], ledger);
        Assert.Equal(["1.2.3", "1.2.4"], backlog.Select(study => study.StudyInstanceUid));
        Assert.Equal([first, second], backlog[0].ToStore);
        Assert.Equal((2, 0, Start, Start.AddSeconds(5)), (backlog[0].InstanceCount, backlog[0].RecordedCount, backlog[0].PendingSince, backlog[0].LastReceivedAt));
        Assert.False(backlog[0].IsQuiet(Start.AddSeconds(9), TimeSpan.FromSeconds(10)));
        Assert.True(backlog[0].IsQuiet(Start.AddSeconds(15), TimeSpan.FromSeconds(10)));

        ledger.MarkStored([first.Digest, second.Digest]);
        var stored = Assert.Single(ForwardingBacklog.Compute([first, second], ledger));
        Assert.Empty(stored.ToStore);
        Assert.Equal(Start.AddSeconds(5), stored.PendingSince);

        ledger.MarkRecorded("1.2.3", 2);
        Assert.Empty(ForwardingBacklog.Compute([first, second], ledger));
        var third = Instance("1.2.3", "1.2.3.3", 60);
        var grown = Assert.Single(ForwardingBacklog.Compute([first, second, third], ledger));
        Assert.Equal((3, 2), (grown.InstanceCount, grown.RecordedCount));
        Assert.Equal([third], grown.ToStore);
    }
}
