using System.Text.Json;

namespace Cl2.Models.Synthetic;

/// <summary>
/// Ground truth of a segmentation case as two plain files: <c>labels.json</c> (this header) and <c>labels.u8</c>, one
/// unsigned byte per voxel in (slice, row, column) order on exactly the grid of the referenced series — slice 0 is the
/// series' image with the lowest position along the normal, row 0 its first row. No NIfTI reader needed.
/// </summary>
/// <param name="Shape">Slices, rows, columns.</param>
/// <param name="Spacing">Millimetres between slices, rows, columns.</param>
/// <param name="Origin">Patient position (LPS, mm) of the first voxel: Image Position (Patient) of slice 0.</param>
/// <param name="Orientation">Image Orientation (Patient): row direction then column direction.</param>
/// <param name="LabelNames">Voxel value → name.</param>
public sealed record LabelVolume(
    int[] Shape,
    double[] Spacing,
    double[] Origin,
    double[] Orientation,
    string FrameOfReferenceUid,
    IReadOnlyList<string> ReferencedSeriesInstanceUids,
    IReadOnlyDictionary<string, string> LabelNames,
    string DataFile)
{
    public const string HeaderFileName = "labels.json";
    public const string DataFileName = "labels.u8";

    public static void Write(string caseDirectory, VolumeGrid grid, byte[] labels, string frameOfReferenceUid,
        IReadOnlyList<string> seriesUids, IReadOnlyDictionary<string, string> labelNames)
    {
        var header = new LabelVolume([grid.Depth, grid.Height, grid.Width], [grid.SliceSpacing, grid.RowSpacing, grid.ColumnSpacing],
            [grid.OriginX, grid.OriginY, grid.OriginZ], [1, 0, 0, 0, 1, 0], frameOfReferenceUid, seriesUids, labelNames, DataFileName);
        File.WriteAllBytes(Path.Combine(caseDirectory, DataFileName), labels);
        File.WriteAllText(Path.Combine(caseDirectory, HeaderFileName), JsonSerializer.Serialize(header, CohortManifest.Json));
    }

    public static (LabelVolume Header, byte[] Labels) Read(string headerPath) =>
        Parse(File.ReadAllText(headerPath), header => File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(headerPath)!, header.DataFile)), headerPath);

    /// <param name="readData">Reads the header's <see cref="DataFile"/>.</param>
    /// <param name="source">Names the header in messages.</param>
    public static (LabelVolume Header, byte[] Labels) Parse(string headerJson, Func<LabelVolume, byte[]> readData, string source)
    {
        var header = JsonSerializer.Deserialize<LabelVolume>(headerJson, CohortManifest.Json)
            ?? throw new InvalidDataException($"{source} is empty");
        if (header.Shape is not { Length: 3 } || header.Spacing is not { Length: 3 } || header.Origin is not { Length: 3 } || header.Orientation is not { Length: 6 })
        {
            throw new InvalidDataException($"{source} needs shape, spacing and origin with 3 values each and orientation with 6");
        }
        var data = readData(header);
        var voxels = header.Shape.Aggregate(1, (a, s) => a * s);
        return data.Length == voxels
            ? (header, data)
            : throw new InvalidDataException($"{header.DataFile} has {data.Length} bytes; the header's shape {string.Join('×', header.Shape)} needs {voxels}");
    }
}
