using System.Runtime.InteropServices;
using Cl2.Dicom.Coding;

namespace Cl2.Dicom.Tests.ResultObjects;

/// <summary>
/// A small CT series made in the test: <see cref="Depth"/> axial slices of <see cref="Rows"/> × <see cref="Columns"/>, 0.75 mm
/// pixels, 2.5 mm apart along a normal that runs feet to head, handed out in shuffled order so writers must sort them.
/// </summary>
internal sealed class CtSeries
{
    public const int Depth = 6;
    public const int Rows = 12;
    public const int Columns = 10;
    public const double SliceSpacing = 2.5;

    public CtSeries(string name = "ct")
    {
        Name = name;
        StudyUid = NameBasedUid.For($"test/{name}/study");
        SeriesUid = NameBasedUid.For($"test/{name}/series");
        FrameOfReferenceUid = NameBasedUid.For($"test/{name}/frame-of-reference");
        var slices = new List<DicomDataset>();
        for (var z = 0; z < Depth; z++)
        {
            slices.Add(Slice(z));
        }
        InOrder = slices;
        // A fixed shuffle: the writer must not rely on the order it is given.
        Shuffled = [slices[3], slices[0], slices[5], slices[1], slices[4], slices[2]];
    }

    public string Name { get; }

    public string StudyUid { get; }

    public string SeriesUid { get; }

    public string FrameOfReferenceUid { get; }

    /// <summary>The slices sorted along the normal (z = 0 first).</summary>
    public IReadOnlyList<DicomDataset> InOrder { get; }

    public IReadOnlyList<DicomDataset> Shuffled { get; }

    public static int Voxels => Depth * Rows * Columns;

    public static int Index(int z, int y, int x) => (((z * Rows) + y) * Columns) + x;

    public string SliceUid(int z) => NameBasedUid.For($"test/{Name}/image/{z}");

    public static double PositionZ(int z) => -40.0 + (z * SliceSpacing);

    /// <summary>A box mask: 1 inside [z0,z1)×[y0,y1)×[x0,x1).</summary>
    public static byte[] Box(int z0, int z1, int y0, int y1, int x0, int x1)
    {
        var voxels = new byte[Voxels];
        for (var z = z0; z < z1; z++)
        {
            for (var y = y0; y < y1; y++)
            {
                for (var x = x0; x < x1; x++)
                {
                    voxels[Index(z, y, x)] = 1;
                }
            }
        }
        return voxels;
    }

    /// <summary>Writes the slices as Part 10 files into <paramref name="directory"/>, one per slice.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        for (var z = 0; z < Depth; z++)
        {
            var meta = DicomFileMetaInformation.Create(DicomUids.CTImageStorage.Value, SliceUid(z), DicomTransferSyntax.ExplicitVRLittleEndian.Uid);
            new DicomFile(meta, InOrder[z], DicomTransferSyntax.ExplicitVRLittleEndian).Save(Path.Combine(directory, $"ct{z}.dcm"));
        }
    }

    private DicomDataset Slice(int z)
    {
        var pixels = new ushort[Rows * Columns];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (ushort)(1000 + (z * 10) + (i % 7));
        }
        return new DicomDataset()
            .SetString(DicomTags.SpecificCharacterSet, "ISO_IR 100")
            .SetStrings(DicomTags.ImageType, "ORIGINAL", "PRIMARY", "AXIAL")
            .SetUid(DicomTags.SOPClassUID, DicomUids.CTImageStorage)
            .SetUid(DicomTags.SOPInstanceUID, SliceUid(z))
            .SetString(DicomTags.StudyDate, "20260301")
            .SetString(DicomTags.StudyTime, "101500")
            .SetString(DicomTags.AccessionNumber, "ACC-" + Name)
            .SetString(DicomTags.Modality, "CT")
            .SetString(DicomTags.Manufacturer, "Test")
            .SetString(DicomTags.ReferringPhysicianName, "")
            .SetString(DicomTags.PatientName, "Müller^Jürgen")
            .SetString(DicomTags.PatientID, "PID-" + Name)
            .SetString(DicomTags.PatientBirthDate, "19600101")
            .SetString(DicomTags.PatientSex, "M")
            .SetString(DicomTags.BodyPartExamined, "ABDOMEN")
            .SetString(DicomTags.KVP, "120")
            .SetUid(DicomTags.StudyInstanceUID, StudyUid)
            .SetUid(DicomTags.SeriesInstanceUID, SeriesUid)
            .SetString(DicomTags.StudyID, "1")
            .SetValues(DicomTags.SeriesNumber, 2)
            .SetValues(DicomTags.AcquisitionNumber, 1)
            .SetValues(DicomTags.InstanceNumber, z + 1)
            .SetValues(DicomTags.ImagePositionPatient, -3.75, -4.5, PositionZ(z))
            .SetValues(DicomTags.ImageOrientationPatient, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
            .SetUid(DicomTags.FrameOfReferenceUID, FrameOfReferenceUid)
            .SetString(DicomTags.PositionReferenceIndicator, "")
            .SetValues(DicomTags.SliceThickness, SliceSpacing)
            .SetValues(DicomTags.PixelSpacing, 0.75, 0.75)
            .SetValues(DicomTags.SamplesPerPixel, (ushort)1)
            .SetString(DicomTags.PhotometricInterpretation, "MONOCHROME2")
            .SetValues(DicomTags.Rows, (ushort)Rows)
            .SetValues(DicomTags.Columns, (ushort)Columns)
            .SetValues(DicomTags.BitsAllocated, (ushort)16)
            .SetValues(DicomTags.BitsStored, (ushort)12)
            .SetValues(DicomTags.HighBit, (ushort)11)
            .SetValues(DicomTags.PixelRepresentation, (ushort)0)
            .SetValues(DicomTags.RescaleIntercept, -1024.0)
            .SetValues(DicomTags.RescaleSlope, 1.0)
            .SetBytes(DicomTags.PixelData, DicomVR.OW, MemoryMarshal.AsBytes(pixels.AsSpan()).ToArray());
    }
}
