namespace Cl2.Models.Training;

/// <summary>
/// The sample order of an epoch, a pure function of (seed, epoch): a resumed run recomputes the interrupted epoch's
/// order instead of storing it. SplitMix64 rather than <see cref="Random"/>, whose seeded sequence .NET does not
/// promise to keep across versions.
/// </summary>
internal static class EpochShuffle
{
    public static int[] Order(int count, long seed, int epoch)
    {
        var order = Enumerable.Range(0, count).ToArray();
        var state = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)epoch + 1);
        for (var i = count - 1; i > 0; i--)
        {
            var j = (int)(Next(ref state) % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    private static ulong Next(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
