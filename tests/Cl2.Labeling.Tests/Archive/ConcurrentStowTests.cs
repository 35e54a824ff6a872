using System.Net;
using Cl2.Dicom.Web;
using Cl2.Labeling.Tests.Blobs;

namespace Cl2.Labeling.Tests.Archive;

/// <summary>Several clients storing the same instances at once, as a PACS resending a study while a cohort import brings it in.</summary>
public sealed class ConcurrentStowTests
{
    [Fact]
    public async Task stows_of_the_same_instances_in_opposite_orders_at_once_all_store_them()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new StorageHost(postgres);
        var uids = Enumerable.Range(1, 60).Select(number => $"2.25.{1000 + number}").ToArray();
        var instances = uids.Select(uid => ArchiveHostileInputTests.CtWithSopInstanceUid(uid)).ToArray();
        MultipartRelatedPart[] Parts(IEnumerable<byte[]> ordered) => [.. ordered.Select(bytes => MultipartRelatedPart.FromBytes(bytes))];

        // Rows locked in request order by two transactions with opposite orders made PostgreSQL abort one as a deadlock (500).
        for (var round = 0; round < 6; round++)
        {
            var stows = await Task.WhenAll(Enumerable.Range(0, 4).Select(client => ArchiveTests.ClientFor(host)
                .StoreAsync(Parts(client % 2 == 0 ? instances : instances.Reverse())))).WaitAsync(TimeSpan.FromMinutes(2));

            Assert.All(stows, stow => Assert.Equal((HttpStatusCode.OK, 0, uids.Length), (stow.Status, stow.Failed.Count, stow.Stored.Count)));
        }
        Assert.Equal(uids.Length, (await ArchiveTests.ClientFor(host).SearchInstancesAsync()).Count);
    }
}
