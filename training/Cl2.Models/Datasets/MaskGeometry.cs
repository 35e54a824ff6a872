using System.Globalization;
using Cl2.Dicom.Imaging;
using Cl2.Models.Synthetic;

namespace Cl2.Models.Datasets;

/// <summary>
/// Whether a label volume lies on exactly the grid of a series: same shape, spacing, first-voxel position, orientation
/// and Frame of Reference. A mask drawn on another series (or a resampled copy) would teach the network the wrong voxels.
/// </summary>
public static class MaskGeometry
{
    /// <summary>Millimetres two positions or spacings may differ by (DICOM stores them as decimal strings).</summary>
    public const double ToleranceMm = 0.01;

    /// <summary>How far two direction cosines may differ.</summary>
    public const double OrientationTolerance = 1e-4;

    /// <returns>Null when the mask fits the series, otherwise what differs.</returns>
    public static string? Mismatch(LabelVolume mask, LoadedSeries series)
    {
        var geometry = series.Geometry;
        var problems = new List<string>();
        int[] shape = [series.Depth, series.Height, series.Width];
        if (!mask.Shape.SequenceEqual(shape))
        {
            problems.Add($"shape {Join(mask.Shape)} vs the series' {Join(shape)}");
        }
        double[] spacing = [geometry.SliceSpacing, geometry.RowSpacing, geometry.ColumnSpacing];
        // A single image (radiograph) has no slice spacing to compare.
        var axes = series.Depth > 1 ? 0 : 1;
        if (mask.Spacing.Skip(axes).Zip(spacing.Skip(axes)).Any(pair => Math.Abs(pair.First - pair.Second) > ToleranceMm))
        {
            problems.Add($"spacing {Join(mask.Spacing)} mm vs {Join(spacing)} mm");
        }
        double[] origin = [geometry.Origin.X, geometry.Origin.Y, geometry.Origin.Z];
        if (mask.Origin.Zip(origin).Any(pair => Math.Abs(pair.First - pair.Second) > ToleranceMm))
        {
            problems.Add($"origin {Join(mask.Origin)} vs the first slice's Image Position (Patient) {Join(origin)}");
        }
        double[] orientation = [.. Cosines(geometry.RowDirection), .. Cosines(geometry.ColumnDirection)];
        if (mask.Orientation.Zip(orientation).Any(pair => Math.Abs(pair.First - pair.Second) > OrientationTolerance))
        {
            problems.Add($"orientation {Join(mask.Orientation)} vs Image Orientation (Patient) {Join(orientation)}");
        }
        if (mask.FrameOfReferenceUid is { Length: > 0 } expected && series.FrameOfReferenceUid is { } frame && frame != expected)
        {
            problems.Add($"Frame of Reference {expected} vs the series' {frame}");
        }
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    /// <summary>
    /// Throws, saying which series and what differs, unless the mask lies on the grid of every series it references
    /// (<paramref name="series"/>: those series, loaded in the mask's order): what training asks of a label before it
    /// trains on it.
    /// </summary>
    public static void RequireOnEvery(LabelVolume mask, IReadOnlyList<LoadedSeries> series)
    {
        foreach (var (loaded, seriesUid) in series.Zip(mask.ReferencedSeriesInstanceUids))
        {
            if (Mismatch(mask, loaded) is { } mismatch)
            {
                throw new InvalidDataException($"its mask does not lie on series {seriesUid}: {mismatch}");
            }
        }
    }

    private static double[] Cosines(PatientVector vector) => [vector.X, vector.Y, vector.Z];

    private static string Join<T>(IEnumerable<T> values) where T : IFormattable =>
        string.Join('×', values.Select(value => value.ToString("0.###", CultureInfo.InvariantCulture)));
}
