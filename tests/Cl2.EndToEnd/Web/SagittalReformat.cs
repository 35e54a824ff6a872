using Cl2.Dicom;
using Cl2.Dicom.Coding;

namespace Cl2.EndToEnd.Web;

/// <summary>
/// A sagittal series resliced from an axial one (as a scanner's reformat is): the same study and frame of reference, one
/// image per column of the axial slices, its rows running from the top slice down and its columns front to back. What
/// the viewer's reference lines need: two series of one patient space in different orientations.
/// </summary>
public static class SagittalReformat
{
    /// <summary>The reformat of the axial series in <paramref name="axialFolder"/> as Part 10 files, series number <paramref name="seriesNumber"/>.</summary>
    public static IReadOnlyList<byte[]> Of(string axialFolder, int seriesNumber)
    {
        var axial = Directory.GetFiles(axialFolder, "*.dcm").Select(file => DicomFile.Open(file))
            .OrderByDescending(file => file.Dataset.GetValue<double>(DicomTags.ImagePositionPatient, 2)).ToList();
        var first = axial[0].Dataset;
        Assert.Equal([1.0, 0, 0, 0, 1, 0], first.GetValues<double>(DicomTags.ImageOrientationPatient));
        Assert.Equal(16, first.GetValue<int>(DicomTags.BitsAllocated));
        var (rows, columns) = (first.GetValue<int>(DicomTags.Rows), first.GetValue<int>(DicomTags.Columns));
        var (rowSpacing, columnSpacing) = (first.GetValue<double>(DicomTags.PixelSpacing, 0), first.GetValue<double>(DicomTags.PixelSpacing, 1));
        var top = first.GetValues<double>(DicomTags.ImagePositionPatient);
        var sliceSpacing = (top[2] - axial[^1].Dataset.GetValue<double>(DicomTags.ImagePositionPatient, 2)) / (axial.Count - 1);
        var pixels = axial.Select(file => ((DicomValueElement)file.Dataset.GetElement(DicomTags.PixelData)).Buffer.GetBytes().ToArray()).ToList();
        var scope = Guid.NewGuid().ToString("N");
        var seriesUid = NameBasedUid.For($"web-sagittal/{scope}/series");
        var reformat = new List<byte[]>();
        for (var column = 0; column < columns; column++)
        {
            // Sagittal pixel (row s, column r) is axial slice s (from the top) at row r, this column.
            var image = new byte[axial.Count * rows * 2];
            for (var slice = 0; slice < axial.Count; slice++)
            {
                for (var row = 0; row < rows; row++)
                {
                    pixels[slice].AsSpan((row * columns + column) * 2, 2).CopyTo(image.AsSpan((slice * rows + row) * 2));
                }
            }
            var file = DicomFile.Open(Directory.GetFiles(axialFolder, "*.dcm")[0]);
            var uid = NameBasedUid.For($"web-sagittal/{scope}/{column}");
            file.FileMetaInformation.SetUid(DicomTags.MediaStorageSOPInstanceUID, uid);
            file.Dataset.SetUid(DicomTags.SOPInstanceUID, uid)
                .SetUid(DicomTags.SeriesInstanceUID, seriesUid)
                .SetStrings(DicomTags.ImageType, "DERIVED", "SECONDARY", "REFORMATTED")
                .SetString(DicomTags.SeriesDescription, "SAG reformat")
                .SetValues(DicomTags.SeriesNumber, seriesNumber)
                .SetValues(DicomTags.InstanceNumber, column + 1)
                .SetValues(DicomTags.ImagePositionPatient, top[0] + column * columnSpacing, top[1], top[2])
                .SetValues(DicomTags.ImageOrientationPatient, 0.0, 1, 0, 0, 0, -1)
                .SetValues(DicomTags.PixelSpacing, sliceSpacing, rowSpacing)
                .SetValues(DicomTags.Rows, (ushort)axial.Count)
                .SetValues(DicomTags.Columns, (ushort)rows)
                .SetBytes(DicomTags.PixelData, DicomVR.OW, image);
            file.Dataset.Remove(DicomTags.SliceLocation);
            using var stream = new MemoryStream();
            file.Save(stream);
            reformat.Add(stream.ToArray());
        }
        return reformat;
    }
}
