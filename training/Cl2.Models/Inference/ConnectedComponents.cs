namespace Cl2.Models.Inference;

/// <summary>
/// Label-map clean-up on a (slice, row, column) grid with 6-connectivity (faces only), as MONAI's
/// KeepLargestConnectedComponent and FillHoles: in place on the class map, one breadth-first pass per call.
/// </summary>
public static class ConnectedComponents
{
    /// <summary>Voxels whose class is in <paramref name="classes"/> but lie outside the largest component of those
    /// voxels become background (0).</summary>
    public static void KeepLargest(byte[] map, int depth, int height, int width, IReadOnlyList<int> classes)
    {
        var inSet = Membership(classes);
        var component = new int[map.Length];
        var sizes = new List<int> { 0 };
        var queue = new Queue<int>();
        for (var start = 0; start < map.Length; start++)
        {
            if (!inSet[map[start]] || component[start] != 0)
            {
                continue;
            }
            var id = sizes.Count;
            var size = 0;
            component[start] = id;
            queue.Enqueue(start);
            while (queue.TryDequeue(out var voxel))
            {
                size++;
                foreach (var next in Neighbours(voxel, depth, height, width))
                {
                    if (inSet[map[next]] && component[next] == 0)
                    {
                        component[next] = id;
                        queue.Enqueue(next);
                    }
                }
            }
            sizes.Add(size);
        }
        if (sizes.Count <= 2)
        {
            return;
        }
        var largest = sizes.IndexOf(sizes.Max());
        for (var i = 0; i < map.Length; i++)
        {
            if (component[i] != 0 && component[i] != largest)
            {
                map[i] = 0;
            }
        }
    }

    /// <summary>Background voxels (0) that no path outside <paramref name="classes"/> connects to the grid's border
    /// become <paramref name="fill"/>; a one-slice grid is filled as a 2-D image.</summary>
    public static void FillHoles(byte[] map, int depth, int height, int width, IReadOnlyList<int> classes, byte fill)
    {
        var inSet = Membership(classes);
        var outside = new bool[map.Length];
        var queue = new Queue<int>();
        for (var z = 0; z < depth; z++)
        {
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    // An axis one voxel thick (a single slice) has no border along it: its holes are the slice's holes.
                    var border = (depth > 1 && (z == 0 || z == depth - 1)) || (height > 1 && (y == 0 || y == height - 1))
                        || (width > 1 && (x == 0 || x == width - 1));
                    var i = (((z * height) + y) * width) + x;
                    if (border && !inSet[map[i]])
                    {
                        outside[i] = true;
                        queue.Enqueue(i);
                    }
                }
            }
        }
        while (queue.TryDequeue(out var voxel))
        {
            foreach (var next in Neighbours(voxel, depth, height, width))
            {
                if (!outside[next] && !inSet[map[next]])
                {
                    outside[next] = true;
                    queue.Enqueue(next);
                }
            }
        }
        for (var i = 0; i < map.Length; i++)
        {
            if (map[i] == 0 && !outside[i])
            {
                map[i] = fill;
            }
        }
    }

    private static bool[] Membership(IReadOnlyList<int> classes)
    {
        var inSet = new bool[256];
        foreach (var value in classes)
        {
            inSet[value] = true;
        }
        return inSet;
    }

    private static IEnumerable<int> Neighbours(int voxel, int depth, int height, int width)
    {
        var x = voxel % width;
        var y = voxel / width % height;
        var z = voxel / (width * height);
        if (x > 0) { yield return voxel - 1; }
        if (x < width - 1) { yield return voxel + 1; }
        if (y > 0) { yield return voxel - width; }
        if (y < height - 1) { yield return voxel + width; }
        if (z > 0) { yield return voxel - (width * height); }
        if (z < depth - 1) { yield return voxel + (width * height); }
    }
}
