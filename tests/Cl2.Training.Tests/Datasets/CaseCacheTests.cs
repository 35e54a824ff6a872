using Cl2.Models.Datasets;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Datasets;

/// <summary>The case cache: the compact file, one preparation per key, and the RAM budget.</summary>
public sealed class CaseCacheTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cl2-case-cache-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static PreparedCase Case(int seed, long edge = 8)
    {
        using var generator = new Generator((ulong)seed);
        return new PreparedCase(randn([2, edge, edge, edge], generator: generator), randint(0, 3, [1, edge, edge, edge], generator: generator),
            [1.5, 0.75, 0.75]);
    }

    [Fact]
    public void a_prepared_case_round_trips_through_its_cache_file()
    {
        using var item = Case(1);
        var path = Path.Combine(_root, "one.case");
        CaseFile.Write(path, item);
        using var read = CaseFile.Read(path);

        Assert.Equal(item.Image.shape, read.Image.shape);
        Assert.Equal(ScalarType.Float32, read.Image.dtype);
        // float16 on disk: normalised intensities keep about three significant digits.
        Assert.True(read.Image.allclose(item.Image, rtol: 1e-3, atol: 1e-3));
        Assert.True(read.Target.eq(item.Target).all().item<bool>());
        Assert.Equal(item.Spacing, read.Spacing);
        Assert.Equal(item.Image.shape, CaseFile.ReadHeader(path).Shape);
    }

    [Fact]
    public void a_case_is_prepared_once_and_read_from_disk_by_a_later_cache()
    {
        var prepared = 0;
        PreparedCase Prepare()
        {
            prepared++;
            return Case(2);
        }
        using (var first = new CaseCache(_root, memoryBytes: 0))
        {
            first.Ensure("k", Prepare);
            using var view = first.Get("k", Prepare);
            Assert.Equal(1, first.Prepared);
        }
        // A later job's cache over the same folder.
        using var later = new CaseCache(_root, memoryBytes: 0);
        using var again = later.Get("k", Prepare);
        Assert.Equal((1, 0, 1), (prepared, later.Prepared, later.DiskReads));
    }

    [Fact]
    public void the_ram_cache_holds_no_more_than_its_budget()
    {
        using var one = Case(3);
        // Room for two cases, not three: the least recently used leaves, and is read from disk again.
        using var cache = new CaseCache(_root, memoryBytes: (2 * one.Bytes) + 1);
        foreach (var key in new[] { "a", "b", "c", "a" })
        {
            using var view = cache.Get(key, () => Case(key[0]));
        }
        Assert.Equal(3, cache.Prepared);
        Assert.Equal(4, cache.DiskReads);
        using (cache.Get("a", () => Case('a')))
        {
        }
        Assert.Equal(4, cache.DiskReads);
    }

    [Fact]
    public void the_disk_cache_deletes_the_least_recently_used_case_files_beyond_its_bound()
    {
        using var one = Case(4);
        CaseFile.Write(Path.Combine(_root, "probe.case"), one);
        var fileBytes = new FileInfo(Path.Combine(_root, "probe.case")).Length;
        File.Delete(Path.Combine(_root, "probe.case"));
        // Room for two case files, not three.
        using var cache = new CaseCache(_root, memoryBytes: 0, diskBytes: (2 * fileBytes) + 1);

        cache.Ensure("a", () => Case('a'));
        cache.Ensure("b", () => Case('b'));
        using (cache.Get("a", () => Case('a')))
        {
        }
        cache.Ensure("c", () => Case('c'));

        // b was used least recently (a was read after it): its file went, a and c stay.
        Assert.Equal((true, false, true), (cache.Contains("a"), cache.Contains("b"), cache.Contains("c")));
        using (cache.Get("b", () => Case('b')))
        {
        }
        Assert.Equal(4, cache.Prepared);
        Assert.Equal(2, Directory.GetFiles(_root, "*.case").Length);
    }
}
