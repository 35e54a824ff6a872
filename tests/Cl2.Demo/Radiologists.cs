using Cl2.Dicom;
using Cl2.Dicom.Segmentation;
using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;

namespace Cl2.Demo;

/// <summary>
/// The simulated radiologists: they read each delivered SEG as the PACS holds it, judge it against the phantom's ground
/// truth (the Dice of everything it segmented against every labelled voxel), and correct the worst results exactly.
/// </summary>
public static class Radiologists
{
    /// <summary>How well the SEG in <paramref name="segmentation"/> matches the case: Dice of the union of its segments
    /// against the voxels whose ground-truth class is not background.</summary>
    public static double Judge(byte[] segmentation, CohortCase item, string cohortFolder, WorkloadTask task)
    {
        var sources = Directory.GetFiles(Path.Combine(cohortFolder, item.Series.Values.First()), "*.dcm").Order(StringComparer.Ordinal)
            .Select(path => DicomFile.Open(path).Dataset).ToList();
        var read = SegmentationReader.Read(DicomFile.Open(new MemoryStream(segmentation)).Dataset, sources);
        var workload = WorkloadRegistry.For(task);
        var (_, truth) = LabelVolume.Read(Path.Combine(cohortFolder, item.Labels!));
        long overlap = 0, segmented = 0, labelled = 0;
        for (var voxel = 0; voxel < truth.Length; voxel++)
        {
            var inSegment = read.Segments.Any(segment => segment.Voxels[voxel] != 0);
            var inTruth = workload.ClassOf(truth[voxel]) != 0;
            overlap += inSegment && inTruth ? 1 : 0;
            segmented += inSegment ? 1 : 0;
            labelled += inTruth ? 1 : 0;
        }
        return segmented + labelled == 0 ? 1 : 2.0 * overlap / (segmented + labelled);
    }
}
