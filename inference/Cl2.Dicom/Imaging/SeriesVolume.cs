using System.Globalization;

namespace Cl2.Dicom.Imaging;

/// <summary>Tolerances of volume assembly; geometry in real series is rounded, so equality is never exact.</summary>
public sealed record VolumeAssemblyOptions
{
    public static VolumeAssemblyOptions Default { get; } = new();

    /// <summary>Largest difference allowed between direction cosines of two slices.</summary>
    public double OrientationTolerance { get; init; } = 1e-4;

    /// <summary>Largest difference allowed between pixel spacings, in millimetres.</summary>
    public double PixelSpacingTolerance { get; init; } = 1e-3;

    /// <summary>Largest deviation of one gap between neighbouring slices from the mean gap, as a fraction of it.</summary>
    public double SliceSpacingTolerance { get; init; } = 0.01;

    /// <summary>Largest in-plane offset between neighbouring slices, in millimetres (a tilted gantry exceeds it).</summary>
    public double InPlaneOffsetTolerance { get; init; } = 1e-2;
}

/// <summary>
/// A series as a regular volume: slices sorted by position along the slice normal, equally spaced, with the same
/// orientation, size and pixel spacing. <see cref="Assemble"/> says why a series is not one.
/// </summary>
public sealed record SeriesVolume(
    IReadOnlyList<VolumeSlice> Slices,
    PatientVector Origin,
    PatientVector RowDirection,
    PatientVector ColumnDirection,
    PatientVector Normal,
    double RowSpacing,
    double ColumnSpacing,
    double SliceSpacing)
{
    public int Rows => Slices[0].Rows;

    public int Columns => Slices[0].Columns;

    public static SeriesVolume Assemble(IEnumerable<VolumeSlice> slices, VolumeAssemblyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(slices);
        options ??= VolumeAssemblyOptions.Default;
        var all = slices.ToList();
        if (all.Count < 2)
        {
            throw new VolumeAssemblyException(VolumeAssemblyFailure.TooFewSlices, $"a volume needs at least 2 slices, the series has {all.Count}");
        }
        var first = all[0];
        foreach (var slice in all.Skip(1))
        {
            CheckAgainstFirst(first, slice, options);
        }

        var normal = first.Normal;
        var sorted = all.OrderBy(s => s.ImagePosition.Dot(normal)).ToList();
        var gaps = new double[sorted.Count - 1];
        for (var i = 1; i < sorted.Count; i++)
        {
            var step = sorted[i].ImagePosition - sorted[i - 1].ImagePosition;
            gaps[i - 1] = step.Dot(normal);
            if (gaps[i - 1] < options.InPlaneOffsetTolerance)
            {
                throw new VolumeAssemblyException(VolumeAssemblyFailure.DuplicatePosition,
                    $"slices {sorted[i - 1].Id} and {sorted[i].Id} lie at the same position {Mm(sorted[i].ImagePosition.Dot(normal))} along the normal");
            }
            var inPlane = (step - (normal * gaps[i - 1])).Length;
            if (inPlane > options.InPlaneOffsetTolerance)
            {
                throw new VolumeAssemblyException(VolumeAssemblyFailure.PositionsNotAlongNormal,
                    $"slice {sorted[i].Id} is offset {Mm(inPlane)} within the plane from slice {sorted[i - 1].Id} (tilted gantry or a different stack)");
            }
        }
        var mean = (sorted[^1].ImagePosition - sorted[0].ImagePosition).Dot(normal) / gaps.Length;
        for (var i = 0; i < gaps.Length; i++)
        {
            if (Math.Abs(gaps[i] - mean) > options.SliceSpacingTolerance * mean)
            {
                throw new VolumeAssemblyException(VolumeAssemblyFailure.InconsistentSpacing,
                    $"the gap between slices {sorted[i].Id} and {sorted[i + 1].Id} is {Mm(gaps[i])}, the mean gap is {Mm(mean)} (a missing slice or a second stack)");
            }
        }
        return new SeriesVolume(sorted, sorted[0].ImagePosition, first.RowDirection, first.ColumnDirection, normal,
            first.RowSpacing, first.ColumnSpacing, mean);
    }

    private static void CheckAgainstFirst(VolumeSlice first, VolumeSlice slice, VolumeAssemblyOptions options)
    {
        if (slice.Rows != first.Rows || slice.Columns != first.Columns)
        {
            throw new VolumeAssemblyException(VolumeAssemblyFailure.MismatchedSize,
                $"slice {slice.Id} is {slice.Rows}x{slice.Columns}, slice {first.Id} is {first.Rows}x{first.Columns}");
        }
        if (Math.Abs(slice.RowSpacing - first.RowSpacing) > options.PixelSpacingTolerance ||
            Math.Abs(slice.ColumnSpacing - first.ColumnSpacing) > options.PixelSpacingTolerance)
        {
            throw new VolumeAssemblyException(VolumeAssemblyFailure.MismatchedPixelSpacing,
                $"slice {slice.Id} has pixel spacing {Mm(slice.RowSpacing)}\\{Mm(slice.ColumnSpacing)}, slice {first.Id} {Mm(first.RowSpacing)}\\{Mm(first.ColumnSpacing)}");
        }
        if (Differs(slice.RowDirection, first.RowDirection, options) || Differs(slice.ColumnDirection, first.ColumnDirection, options))
        {
            throw new VolumeAssemblyException(VolumeAssemblyFailure.MismatchedOrientation,
                $"slice {slice.Id} has orientation {slice.RowDirection}{slice.ColumnDirection}, slice {first.Id} {first.RowDirection}{first.ColumnDirection}");
        }
    }

    private static bool Differs(PatientVector a, PatientVector b, VolumeAssemblyOptions options) =>
        Math.Abs(a.X - b.X) > options.OrientationTolerance || Math.Abs(a.Y - b.Y) > options.OrientationTolerance || Math.Abs(a.Z - b.Z) > options.OrientationTolerance;

    private static string Mm(double value) => value.ToString("0.###", CultureInfo.InvariantCulture) + " mm";
}
