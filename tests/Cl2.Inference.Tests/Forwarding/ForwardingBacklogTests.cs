using System.Security.Cryptography;
using Cl2.Dicom;
using Cl2.Dicom.Coding;
using Cl2.Inference.Forwarding;
using Cl2.Inference.Ingest;
using Cl2.Inference.Listener;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Tests.Forwarding;

/// <summary>
/// The store's index by study and the backlog kept from it, against a real store and ledger on disk: a study is looked at
/// when it changed or is still pending, never by reading the whole store, and answers as a reading of the whole store would.
/// </summary>
public sealed class ForwardingBacklogTests : IAsyncLifetime
{
    private readonly string _storage = Directory.CreateTempSubdirectory("cl2-backlog-").FullName;
    private InstanceStore? _store;
    private ForwardingLedger? _ledger;

    private InstanceStore Store => _store!;

    private ForwardingLedger Ledger => _ledger!;

    public async Task InitializeAsync()
    {
        _store = OpenStore();
        await _store.StartAsync(CancellationToken.None);
        _ledger = new ForwardingLedger(Options.Create(new InferenceOptions { StoragePath = _storage }), NullLogger<ForwardingLedger>.Instance);
        _ledger.Open();
    }

    public Task DisposeAsync()
    {
        _ledger?.Dispose();
        _store?.Dispose();
        Directory.Delete(_storage, recursive: true);
        return Task.CompletedTask;
    }

    private InstanceStore OpenStore() =>
        new(Options.Create(new InferenceOptions { StoragePath = _storage }), Options.Create(new ListenerOptions()), TimeProvider.System,
            NullLogger<InstanceStore>.Instance);

    /// <summary>An instance of <paramref name="study"/>; another <paramref name="content"/> gives the same SOP Instance UID other bytes (a new version).</summary>
    private async Task<StoredInstance> StoreAsync(string study, string sop, string content = "first")
    {
        var meta = Part10.FileMetaInformation(DicomUids.CTImageStorage.Value, sop, DicomTransferSyntax.ExplicitVRLittleEndian.Uid);
        var bytes = meta.Concat(System.Text.Encoding.ASCII.GetBytes($"{study} {content}")).ToArray();
        var incoming = new IncomingInstance(bytes, Convert.ToHexStringLower(SHA256.HashData(bytes)), meta.Length, DicomUids.CTImageStorage.Value, sop,
            DicomTransferSyntax.ExplicitVRLittleEndian.Uid, "BACKLOG", new Dictionary<string, string> { ["StudyInstanceUID"] = study, ["SOPInstanceUID"] = sop });
        return (await Store.StoreAsync(incoming, CancellationToken.None)).Instance;
    }

    /// <summary>A fresh UID per test (studies and instances of one test never meet another's).</summary>
    private static string Uid() => NameBasedUid.For(Guid.NewGuid().ToString());

    [Fact]
    public async Task of_two_studies_one_forwarded_only_the_other_is_unforwarded()
    {
        var (forwardedStudy, otherStudy) = (Uid(), Uid());
        var forwarded = new[] { await StoreAsync(forwardedStudy, Uid()), await StoreAsync(forwardedStudy, Uid()) };
        var other = await StoreAsync(otherStudy, Uid());
        var backlog = new ForwardingBacklog(Store, Ledger);
        Assert.Equal([forwardedStudy, otherStudy], backlog.Compute().Select(study => study.StudyInstanceUid));

        Ledger.MarkStored(forwarded.Select(instance => instance.Digest));
        Ledger.MarkRecorded(forwardedStudy, 2);

        Assert.False(backlog.HoldsUnforwarded(forwardedStudy));
        Assert.True(backlog.HoldsUnforwarded(otherStudy));
        var pending = Assert.Single(backlog.Compute());
        Assert.Equal((otherStudy, 1), (pending.StudyInstanceUid, pending.InstanceCount));
        Assert.Equal([other], pending.ToStore);
        Assert.Equal(forwarded, Store.LatestVersionsOf(forwardedStudy));
    }

    [Fact]
    public async Task a_new_version_of_an_instance_replaces_the_old_in_its_study_and_makes_it_pending_again()
    {
        var (study, sop) = (Uid(), Uid());
        var first = await StoreAsync(study, sop);
        Ledger.MarkStored([first.Digest]);
        Ledger.MarkRecorded(study, 1);
        var backlog = new ForwardingBacklog(Store, Ledger);
        Assert.Empty(backlog.Compute());

        var second = await StoreAsync(study, sop, content: "corrected");

        Assert.Equal(2, second.Version);
        Assert.Equal([second], Store.LatestVersionsOf(study));
        Assert.True(backlog.HoldsUnforwarded(study));
        var pending = Assert.Single(backlog.Compute());
        Assert.Equal((study, 1, 1), (pending.StudyInstanceUid, pending.InstanceCount, pending.RecordedCount));
        Assert.Equal([second], pending.ToStore);
    }

    [Fact]
    public async Task a_new_version_that_names_another_study_leaves_the_study_it_was_in()
    {
        var (before, after, sop) = (Uid(), Uid(), Uid());
        var kept = await StoreAsync(before, Uid());
        await StoreAsync(before, sop);

        var moved = await StoreAsync(after, sop, content: "moved");

        Assert.Equal([kept], Store.LatestVersionsOf(before));
        Assert.Equal([moved], Store.LatestVersionsOf(after));
        Assert.Equal([(before, 1), (after, 1)], new ForwardingBacklog(Store, Ledger).Compute().Select(study => (study.StudyInstanceUid, study.InstanceCount)));
    }

    [Fact]
    public async Task only_the_studies_that_changed_since_a_cursor_are_named_and_a_restarted_store_names_all_it_replayed()
    {
        var (first, second) = (Uid(), Uid());
        await StoreAsync(first, Uid());
        await StoreAsync(second, Uid());
        var (all, cursor) = Store.StudiesChangedSince(0);
        Assert.Equal(new[] { first, second }.Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));
        Assert.Empty(Store.StudiesChangedSince(cursor).Studies);

        await StoreAsync(second, Uid());
        Assert.Equal([second], Store.StudiesChangedSince(cursor).Studies);

        _store!.Dispose();
        _store = OpenStore();
        await _store.StartAsync(CancellationToken.None);
        Assert.Equal(new[] { first, second }.Order(StringComparer.Ordinal), Store.StudiesChangedSince(0).Studies.Order(StringComparer.Ordinal));
        Assert.Equal(2, Store.LatestVersionsOf(second).Count);
    }
}
