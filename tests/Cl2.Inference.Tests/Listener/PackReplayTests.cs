using System.Security.Cryptography;
using Cl2.Dicom;
using Cl2.Inference.Ingest;
using Cl2.Inference.Listener;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Tests.Listener;

/// <summary>
/// The store's packs across restarts. A commit the process died in may leave a record whose header reached the disk and
/// whose bytes did not: replay must check the content of what an unsealed pack holds, cut from the first record that
/// fails, and go on storing after it. Full packs are sealed and replayed without that check.
/// </summary>
public sealed class PackReplayTests
{
    [Fact]
    public async Task a_record_whose_bytes_do_not_match_its_digest_is_cut_off_at_restart_and_storing_goes_on()
    {
        var storage = Directory.CreateTempSubdirectory("cl2-torn-").FullName;
        try
        {
            var instances = NothingAcknowledgedIsLostTests.SmallCtInstances(5).Select(Incoming).ToList();
            using (var store = Open(storage))
            {
                await store.StartAsync(CancellationToken.None);
                foreach (var instance in instances)
                {
                    Assert.Equal(StoreOutcomeKind.Stored, (await store.StoreAsync(instance, CancellationToken.None)).Kind);
                }
                await store.StopAsync(CancellationToken.None);
            }
            // Damage the last instance's pixel data where it lies in its pack, as a torn write would.
            var last = instances[^1].Part10Bytes.ToArray()[(int)instances[^1].DataSetOffset..];
            var pack = Directory.GetFiles(Path.Combine(storage, "dicom", "packs"), "*.pack").Single(path => File.ReadAllBytes(path).AsSpan().IndexOf(last) >= 0);
            var content = File.ReadAllBytes(pack);
            content[content.AsSpan().IndexOf(last) + last.Length - 100] ^= 0xff;
            File.WriteAllBytes(pack, content);

            using (var store = Open(storage))
            {
                await store.StartAsync(CancellationToken.None);
                Assert.Equal(instances[..4].Select(instance => instance.SopInstanceUid), store.LatestVersions().Select(stored => stored.SopInstanceUid));
                Assert.Equal(StoreOutcomeKind.Stored, (await store.StoreAsync(instances[^1], CancellationToken.None)).Kind);
                await store.StopAsync(CancellationToken.None);
            }

            using (var store = Open(storage))
            {
                await store.StartAsync(CancellationToken.None);
                Assert.Equal(instances.Select(instance => instance.SopInstanceUid), store.LatestVersions().Select(stored => stored.SopInstanceUid));
                foreach (var instance in instances)
                {
                    await using var part10 = store.OpenPart10(store.Versions(instance.SopInstanceUid).Single());
                    using var bytes = new MemoryStream();
                    await part10.CopyToAsync(bytes);
                    Assert.True(instance.Part10Bytes.Span.SequenceEqual(bytes.ToArray()), $"{instance.SopInstanceUid} differs after replay");
                }
                Assert.Equal(StoreOutcomeKind.Duplicate, (await store.StoreAsync(instances[0], CancellationToken.None)).Kind);
                await store.StopAsync(CancellationToken.None);
            }
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
        }
    }

    [Fact]
    public async Task instances_beyond_a_full_pack_and_one_larger_than_a_pack_come_back_byte_identical_after_restart()
    {
        var storage = Directory.CreateTempSubdirectory("cl2-packs-").FullName;
        try
        {
            var random = new Random(64);
            var sizes = Enumerable.Repeat(1024 * 1024, 70).Append(65 * 1024 * 1024).Append(4096);
            var instances = sizes.Select((size, i) =>
            {
                var bytes = new byte[size];
                random.NextBytes(bytes);
                var uid = $"2.25.{i + 1}";
                return new IncomingInstance(bytes, Convert.ToHexStringLower(SHA256.HashData(bytes)), 0, DicomUids.CTImageStorage.Value, uid,
                    DicomTransferSyntax.ExplicitVRLittleEndian.Uid, "PACKTEST", new Dictionary<string, string> { ["SOPInstanceUID"] = uid });
            }).ToList();
            using (var store = Open(storage))
            {
                await store.StartAsync(CancellationToken.None);
                // Concurrently, so that group commits of several instances cross from one pack into the next.
                var outcomes = await Task.WhenAll(instances.Select(instance => Task.Run(() => store.StoreAsync(instance, CancellationToken.None))));
                Assert.All(outcomes, outcome => Assert.Equal(StoreOutcomeKind.Stored, outcome.Kind));
                await store.StopAsync(CancellationToken.None);
            }

            using (var store = Open(storage))
            {
                await store.StartAsync(CancellationToken.None);
                foreach (var instance in instances)
                {
                    await using var part10 = store.OpenPart10(store.Versions(instance.SopInstanceUid).Single());
                    using var bytes = new MemoryStream();
                    await part10.CopyToAsync(bytes);
                    Assert.True(instance.Part10Bytes.Span.SequenceEqual(bytes.ToArray()), $"{instance.SopInstanceUid} differs after replay");
                }
                await store.StopAsync(CancellationToken.None);
            }
            Assert.True(Directory.GetFiles(Path.Combine(storage, "dicom", "packs"), "*.pack").Length >= 3, "the instances should have filled more than two packs");
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
        }
    }

    [Fact]
    public async Task a_store_of_the_earlier_blob_and_journal_layout_is_moved_into_packs_at_start()
    {
        var storage = Directory.CreateTempSubdirectory("cl2-earlier-").FullName;
        try
        {
            var instances = NothingAcknowledgedIsLostTests.SmallCtInstances(3).Select(Incoming).ToList();
            var dicom = Path.Combine(storage, "dicom");
            var journal = new System.Text.StringBuilder();
            foreach (var (instance, version) in instances.Zip([1, 1, 1]))
            {
                var blob = Path.Combine(dicom, "blobs", instance.Digest[..2], instance.Digest + ".dcm");
                Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
                File.WriteAllBytes(blob, instance.Part10Bytes.ToArray());
                var json = System.Text.Json.JsonSerializer.Serialize(new StoredInstance(instance.Digest, version, instance.SopClassUid, instance.SopInstanceUid,
                    instance.TransferSyntaxUid, instance.Part10Bytes.Length, instance.DataSetOffset, instance.CallingAeTitle, DateTimeOffset.UtcNow,
                    instance.Attributes), new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
                journal.Append(Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(json)))[..8]).Append(' ').Append(json).Append('\n');
            }
            // The last record's line torn, as a crash in its commit leaves it: that instance was never acknowledged.
            File.WriteAllText(Path.Combine(dicom, "index.journal"), journal.ToString()[..^40]);

            for (var start = 0; start < 2; start++)
            {
                using var store = Open(storage);
                await store.StartAsync(CancellationToken.None);
                Assert.Equal(instances[..2].Select(instance => instance.SopInstanceUid), store.LatestVersions().Select(stored => stored.SopInstanceUid));
                foreach (var instance in instances[..2])
                {
                    await using var part10 = store.OpenPart10(store.Versions(instance.SopInstanceUid).Single());
                    using var bytes = new MemoryStream();
                    await part10.CopyToAsync(bytes);
                    Assert.True(instance.Part10Bytes.Span.SequenceEqual(bytes.ToArray()), $"{instance.SopInstanceUid} differs after the move");
                }
                await store.StopAsync(CancellationToken.None);
                Assert.False(File.Exists(Path.Combine(dicom, "index.journal")));
                Assert.False(Directory.Exists(Path.Combine(dicom, "blobs")));
            }
        }
        finally
        {
            Directory.Delete(storage, recursive: true);
        }
    }

    private static InstanceStore Open(string storage) =>
        new(Options.Create(new InferenceOptions { StoragePath = storage }), Options.Create(new ListenerOptions()), TimeProvider.System, NullLogger<InstanceStore>.Instance);

    private static IncomingInstance Incoming((string Uid, byte[] DataSet) instance)
    {
        var meta = Part10.FileMetaInformation(DicomUids.CTImageStorage.Value, instance.Uid, DicomTransferSyntax.ExplicitVRLittleEndian.Uid);
        var bytes = meta.Concat(instance.DataSet).ToArray();
        return new IncomingInstance(bytes, Convert.ToHexStringLower(SHA256.HashData(bytes)), meta.Length, DicomUids.CTImageStorage.Value, instance.Uid,
            DicomTransferSyntax.ExplicitVRLittleEndian.Uid, "TORNTEST", new Dictionary<string, string> { ["SOPInstanceUID"] = instance.Uid });
    }
}
