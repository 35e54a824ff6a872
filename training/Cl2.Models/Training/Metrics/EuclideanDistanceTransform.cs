namespace Cl2.Models.Training.Metrics;

/// <summary>
/// Exact squared Euclidean distance transform with anisotropic voxel spacing (Felzenszwalb &amp; Huttenlocher 2012):
/// one lower-envelope-of-parabolas pass per axis, linear in the number of voxels, so surface distances on a full CT
/// volume cost milliseconds instead of the quadratic all-pairs search.
/// </summary>
internal static class EuclideanDistanceTransform
{
    /// <summary>Squared distance (in spacing units, e.g. mm²) from each voxel to the nearest voxel where
    /// <paramref name="isSite"/> is true; +∞ everywhere when there is none.</summary>
    public static double[] Squared(ReadOnlySpan<bool> isSite, IReadOnlyList<int> shape, IReadOnlyList<double> spacing)
    {
        var field = new double[isSite.Length];
        for (var i = 0; i < field.Length; i++)
        {
            field[i] = isSite[i] ? 0 : double.PositiveInfinity;
        }
        var strides = Strides(shape);
        var longest = shape.Max();
        var line = new double[longest];
        var result = new double[longest];
        var vertices = new int[longest];
        var boundaries = new double[longest + 1];
        for (var axis = 0; axis < shape.Count; axis++)
        {
            int length = shape[axis], stride = strides[axis];
            for (var start = 0; start < field.Length; start++)
            {
                // A line along this axis starts wherever the coordinate on the axis is 0.
                if (start / stride % length != 0)
                {
                    continue;
                }
                for (var q = 0; q < length; q++)
                {
                    line[q] = field[start + q * stride];
                }
                Transform(line.AsSpan(0, length), spacing[axis], result, vertices, boundaries);
                for (var q = 0; q < length; q++)
                {
                    field[start + q * stride] = result[q];
                }
            }
        }
        return field;
    }

    internal static int[] Strides(IReadOnlyList<int> shape)
    {
        var strides = new int[shape.Count];
        var stride = 1;
        for (var axis = shape.Count - 1; axis >= 0; axis--)
        {
            strides[axis] = stride;
            stride *= shape[axis];
        }
        return strides;
    }

    private static void Transform(ReadOnlySpan<double> f, double spacing, double[] d, int[] v, double[] z)
    {
        var k = -1;
        for (var q = 0; q < f.Length; q++)
        {
            // Voxels with no site along the previous axes contribute no parabola (∞ − ∞ would poison the envelope).
            if (double.IsPositiveInfinity(f[q]))
            {
                continue;
            }
            var s = double.NegativeInfinity;
            while (k >= 0)
            {
                s = Intersection(f, spacing, v[k], q);
                if (s <= z[k])
                {
                    k--;
                }
                else
                {
                    break;
                }
            }
            k++;
            v[k] = q;
            z[k] = k == 0 ? double.NegativeInfinity : s;
            z[k + 1] = double.PositiveInfinity;
        }
        if (k < 0)
        {
            Array.Fill(d, double.PositiveInfinity, 0, f.Length);
            return;
        }
        k = 0;
        for (var q = 0; q < f.Length; q++)
        {
            var x = q * spacing;
            while (z[k + 1] < x)
            {
                k++;
            }
            var offset = x - v[k] * spacing;
            d[q] = offset * offset + f[v[k]];
        }
    }

    private static double Intersection(ReadOnlySpan<double> f, double spacing, int p, int q)
    {
        double xp = p * spacing, xq = q * spacing;
        return (f[q] + xq * xq - (f[p] + xp * xp)) / (2 * (xq - xp));
    }
}
