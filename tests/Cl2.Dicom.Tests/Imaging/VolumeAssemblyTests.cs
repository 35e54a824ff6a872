using Cl2.Dicom;
using Cl2.Dicom.Imaging;

namespace Cl2.Dicom.Tests.Imaging;

public sealed class VolumeAssemblyTests
{
    private static List<VolumeSlice> SeriesFromCorpus(string directory) =>
        Directory.EnumerateFiles(Corpus.File(directory))
            .Order(StringComparer.Ordinal)
            .Select(path => VolumeSlice.From(DicomFile.Open(path).Dataset, Path.GetFileName(path)))
            .ToList();

    private static VolumeSlice Axial(string id, double z, int rows = 16, int columns = 16, double x = 0) =>
        new(id, new PatientVector(x, 0, z), new PatientVector(1, 0, 0), new PatientVector(0, 1, 0), 0.5, 0.5, rows, columns);

    [Fact]
    public void a_ct_series_stored_head_first_is_sorted_along_the_normal_with_its_spacing()
    {
        var volume = SeriesVolume.Assemble(SeriesFromCorpus("dicomdirtests/98892001/CT5N"));

        Assert.Equal(["3353", "3023", "2693", "2392", "2062"], volume.Slices.Select(s => s.Id));
        Assert.Equal(-1.2375, volume.Origin.Z, 4);
        Assert.Equal(2.5, volume.SliceSpacing, 4);
        Assert.Equal((0.488281, 0.488281, 16, 16), (volume.RowSpacing, volume.ColumnSpacing, volume.Rows, volume.Columns));
        Assert.Equal(new PatientVector(0, 0, 1), volume.Normal);
    }

    [Fact]
    public void a_series_with_a_gap_is_refused_naming_the_slices_around_it()
    {
        var error = Assert.Throws<VolumeAssemblyException>(() => SeriesVolume.Assemble(SeriesFromCorpus("dicomdirtests/77654033/CT2")));

        Assert.Equal(VolumeAssemblyFailure.InconsistentSpacing, error.Reason);
        Assert.Contains("between slices 17106 and 17136 is 202.5 mm", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_scout_pair_with_different_orientations_is_refused()
    {
        var error = Assert.Throws<VolumeAssemblyException>(() => SeriesVolume.Assemble(SeriesFromCorpus("dicomdirtests/98892001/CT2N")));

        Assert.Equal(VolumeAssemblyFailure.MismatchedOrientation, error.Reason);
    }

    [Fact]
    public void a_localizer_series_with_different_pixel_spacing_is_refused()
    {
        var error = Assert.Throws<VolumeAssemblyException>(() => SeriesVolume.Assemble(SeriesFromCorpus("dicomdirtests/98892003/MR2")));

        Assert.Equal(VolumeAssemblyFailure.MismatchedPixelSpacing, error.Reason);
    }

    [Fact]
    public void slices_of_different_sizes_are_refused()
    {
        var error = Assert.Throws<VolumeAssemblyException>(() =>
            SeriesVolume.Assemble([Axial("a", 0), Axial("b", 1), Axial("c", 2, rows: 32)]));

        Assert.Equal(VolumeAssemblyFailure.MismatchedSize, error.Reason);
        Assert.Contains("slice c is 32x16, slice a is 16x16", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void two_slices_at_one_position_are_refused()
    {
        var error = Assert.Throws<VolumeAssemblyException>(() => SeriesVolume.Assemble([Axial("a", 0), Axial("b", 1), Axial("c", 1)]));

        Assert.Equal(VolumeAssemblyFailure.DuplicatePosition, error.Reason);
    }

    [Fact]
    public void a_tilted_stack_whose_positions_leave_the_normal_is_refused()
    {
        var error = Assert.Throws<VolumeAssemblyException>(() =>
            SeriesVolume.Assemble([Axial("a", 0, x: 0), Axial("b", 1, x: 0.2), Axial("c", 2, x: 0.4)]));

        Assert.Equal(VolumeAssemblyFailure.PositionsNotAlongNormal, error.Reason);
    }

    [Fact]
    public void one_slice_is_not_a_volume_and_a_slice_without_geometry_says_what_it_lacks()
    {
        Assert.Equal(VolumeAssemblyFailure.TooFewSlices,
            Assert.Throws<VolumeAssemblyException>(() => SeriesVolume.Assemble([Axial("a", 0)])).Reason);

        var secondaryCapture = DicomFile.Open(Corpus.File("SC_rgb_small_odd.dcm")).Dataset;
        var error = Assert.Throws<VolumeAssemblyException>(() => VolumeSlice.From(secondaryCapture, "sc"));
        Assert.Equal(VolumeAssemblyFailure.MissingGeometry, error.Reason);
        Assert.Contains("ImagePositionPatient", error.Message, StringComparison.Ordinal);
    }
}
