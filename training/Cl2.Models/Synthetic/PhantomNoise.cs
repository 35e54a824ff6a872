namespace Cl2.Models.Synthetic;

/// <summary>Seeded draws for the phantoms; System.Random with a seed gives the same sequence on every platform.</summary>
internal sealed class PhantomNoise(int seed)
{
    private readonly Random _random = new(seed);

    public double Uniform(double low, double high) => low + ((high - low) * _random.NextDouble());

    public int Integer(int low, int highExclusive) => _random.Next(low, highExclusive);

    public bool Chance(double probability) => _random.NextDouble() < probability;

    public double Gaussian() =>
        Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());

    /// <summary>A seed for a sub-stream, so adding a draw in one case does not change the others (HashCode is
    /// randomised per process, so a fixed mix of primes instead).</summary>
    public static int CaseSeed(int seed, int caseIndex, int salt) =>
        unchecked((seed * 1_000_003) + (caseIndex * 7_919) + (salt * 104_729)) & 0x7FFFFFFF;
}

/// <summary>(x/a)² + (y/b)² + (z/c)² about a centre: below 1 inside the ellipsoid.</summary>
internal readonly record struct Ellipsoid(double CentreX, double CentreY, double CentreZ, double RadiusX, double RadiusY, double RadiusZ)
{
    public double Level(double x, double y, double z)
    {
        double dx = (x - CentreX) / RadiusX, dy = (y - CentreY) / RadiusY, dz = (z - CentreZ) / RadiusZ;
        return (dx * dx) + (dy * dy) + (dz * dz);
    }

    public bool Contains(double x, double y, double z) => Level(x, y, z) < 1;
}
