namespace Cl2.Models.Synthetic;

/// <summary>
/// A regular voxel grid in axial slices: voxel (z, y, x) is at index (z·Height + y)·Width + x and at patient position
/// Origin + (x·ColumnSpacing, y·RowSpacing, z·SliceSpacing) in LPS millimetres (rows run posterior, columns to the
/// patient's left, slices to the head).
/// </summary>
public sealed record VolumeGrid(int Depth, int Height, int Width, double SliceSpacing, double RowSpacing, double ColumnSpacing,
    double OriginX, double OriginY, double OriginZ)
{
    public int Voxels => Depth * Height * Width;

    public int SliceVoxels => Height * Width;

    /// <summary>A grid centred on the patient origin with the given field of view per axis in millimetres.</summary>
    public static VolumeGrid Centred(int depth, int height, int width, double fovZ, double fovY, double fovX)
    {
        double dz = fovZ / depth, dy = fovY / height, dx = fovX / width;
        return new VolumeGrid(depth, height, width, dz, dy, dx,
            -((width - 1) * dx / 2), -((height - 1) * dy / 2), -((depth - 1) * dz / 2));
    }

    /// <summary>Coordinates in [−1, 1] per axis of the voxel centre (x, y, z order).</summary>
    public (double X, double Y, double Z) Normalised(int z, int y, int x) =>
        (((x + 0.5) / Width * 2) - 1, ((y + 0.5) / Height * 2) - 1, ((z + 0.5) / Depth * 2) - 1);
}
