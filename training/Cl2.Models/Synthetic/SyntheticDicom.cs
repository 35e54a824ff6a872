using System.Runtime.InteropServices;
using Cl2.Dicom;

namespace Cl2.Models.Synthetic;

/// <summary>What differs between the series of a case: modality, SOP class, description and modality-specific attributes.</summary>
/// <param name="Describe">Adds the modality's own attributes (MR sequence parameters, CT kVp …) to each image.</param>
public sealed record SeriesHeader(
    string Role,
    int SeriesNumber,
    string SeriesDescription,
    string Modality,
    string SopClassUid,
    string BodyPartExamined,
    double WindowCenter,
    double WindowWidth,
    Action<DicomDataset> Describe,
    double? RescaleIntercept = null);

/// <summary>Writes synthetic images as single-frame DICOM Part 10 files, Explicit VR Little Endian, 12 bits in 16.</summary>
public static class SyntheticDicom
{
    /// <summary>
    /// One axial series: one file per slice named by instance number, Image Plane module consistent with the grid
    /// (positions advance by the slice spacing along the normal, Slice Thickness equals Spacing Between Slices).
    /// </summary>
    /// <returns>The Series Instance UID.</returns>
    public static string WriteSeries(string directory, SyntheticStudy study, SeriesHeader header, VolumeGrid grid, ushort[] stored)
    {
        if (stored.Length != grid.Voxels)
        {
            throw new ArgumentException($"{stored.Length} samples for a grid of {grid.Voxels} voxels", nameof(stored));
        }
        Directory.CreateDirectory(directory);
        var seriesUid = study.Uid(header.Role + "/series");
        for (var z = 0; z < grid.Depth; z++)
        {
            var dataset = study.NewDataset(header.SopClassUid, study.Uid($"{header.Role}/image/{z + 1}"), header.Modality);
            AddSeries(dataset, header, seriesUid);
            var zPosition = grid.OriginZ + (z * grid.SliceSpacing);
            dataset
                .SetUid(DicomTags.FrameOfReferenceUID, study.FrameOfReferenceUid)
                .SetString(DicomTags.PositionReferenceIndicator, "")
                .SetStrings(DicomTags.ImageType, "ORIGINAL", "PRIMARY", "AXIAL")
                .SetValues(DicomTags.InstanceNumber, z + 1)
                .SetValues(DicomTags.AcquisitionNumber, 1)
                .SetValues(DicomTags.ImagePositionPatient, Decimal(grid.OriginX), Decimal(grid.OriginY), Decimal(zPosition))
                .SetValues(DicomTags.ImageOrientationPatient, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
                .SetValues(DicomTags.SliceLocation, Decimal(zPosition))
                .SetValues(DicomTags.SliceThickness, Decimal(grid.SliceSpacing))
                .SetValues(DicomTags.SpacingBetweenSlices, Decimal(grid.SliceSpacing))
                .SetValues(DicomTags.PixelSpacing, Decimal(grid.RowSpacing), Decimal(grid.ColumnSpacing));
            AddPixels(dataset, grid.Height, grid.Width, stored.AsSpan(z * grid.SliceVoxels, grid.SliceVoxels));
            Save(dataset, Path.Combine(directory, $"{z + 1:D4}.dcm"));
        }
        return seriesUid;
    }

    /// <summary>One projection radiograph (DX For Presentation) with Imager Pixel Spacing and Pixel Spacing equal (no
    /// magnification correction claimed).</summary>
    public static string WriteRadiograph(string path, SyntheticStudy study, SeriesHeader header, HipXrayCase image)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var seriesUid = study.Uid(header.Role + "/series");
        var dataset = study.NewDataset(header.SopClassUid, study.Uid($"{header.Role}/image/1"), header.Modality);
        AddSeries(dataset, header, seriesUid);
        dataset
            .SetStrings(DicomTags.ImageType, "ORIGINAL", "PRIMARY")
            .SetValues(DicomTags.InstanceNumber, 1)
            .SetString(DicomTags.PresentationIntentType, "FOR PRESENTATION")
            .SetStrings(DicomTags.PatientOrientation, "R", "F")
            .SetString(DicomTags.ViewPosition, "AP")
            .SetString(DicomTags.ImageLaterality, "B")
            .SetString(DicomTags.BurnedInAnnotation, "NO")
            .SetString(DicomTags.LossyImageCompression, "00")
            .SetString(DicomTags.PresentationLUTShape, "IDENTITY")
            .SetString(DicomTags.PixelIntensityRelationship, "LOG")
            .SetValues(DicomTags.PixelIntensityRelationshipSign, (short)1)
            .SetValues(DicomTags.ImagerPixelSpacing, Decimal(image.PixelSpacing), Decimal(image.PixelSpacing))
            .SetValues(DicomTags.PixelSpacing, Decimal(image.PixelSpacing), Decimal(image.PixelSpacing));
        AddPixels(dataset, image.Rows, image.Columns, image.Pixels);
        Save(dataset, path);
        return seriesUid;
    }

    private static void AddSeries(DicomDataset dataset, SeriesHeader header, string seriesUid)
    {
        dataset
            .SetUid(DicomTags.SeriesInstanceUID, seriesUid)
            .SetValues(DicomTags.SeriesNumber, header.SeriesNumber)
            .SetString(DicomTags.SeriesDescription, header.SeriesDescription)
            .SetString(DicomTags.BodyPartExamined, header.BodyPartExamined)
            .SetValues(DicomTags.WindowCenter, Decimal(header.WindowCenter))
            .SetValues(DicomTags.WindowWidth, Decimal(header.WindowWidth));
        if (header.RescaleIntercept is { } intercept)
        {
            dataset
                .SetValues(DicomTags.RescaleIntercept, intercept)
                .SetValues(DicomTags.RescaleSlope, 1.0)
                .SetString(DicomTags.RescaleType, "HU");
        }
        header.Describe(dataset);
    }

    private static void AddPixels(DicomDataset dataset, int rows, int columns, ReadOnlySpan<ushort> samples)
    {
        dataset
            .SetValues(DicomTags.SamplesPerPixel, (ushort)1)
            .SetString(DicomTags.PhotometricInterpretation, "MONOCHROME2")
            .SetValues(DicomTags.Rows, (ushort)rows)
            .SetValues(DicomTags.Columns, (ushort)columns)
            .SetValues(DicomTags.BitsAllocated, (ushort)16)
            .SetValues(DicomTags.BitsStored, (ushort)12)
            .SetValues(DicomTags.HighBit, (ushort)11)
            .SetValues(DicomTags.PixelRepresentation, (ushort)0)
            .SetBytes(DicomTags.PixelData, DicomVR.OW, MemoryMarshal.AsBytes(samples).ToArray());
    }

    private static void Save(DicomDataset dataset, string path) =>
        new DicomFile(new DicomDataset(), dataset, DicomTransferSyntax.ExplicitVRLittleEndian).Save(path);

    /// <summary>Decimal String holds at most 16 characters: four decimals of a millimetre are plenty.</summary>
    private static double Decimal(double value) => Math.Round(value, 4, MidpointRounding.AwayFromZero);
}
