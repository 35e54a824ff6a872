using Cl2.Models.Datasets;
using Cl2.Models.Workloads;
using static TorchSharp.torch;

namespace Cl2.Models.Synthetic;

/// <summary>
/// Cases of a cohort written by <see cref="SyntheticCohort"/>, read back from its DICOM through
/// <see cref="DicomSeriesLoader"/> (the path real data takes) and normalised as each workload says into tensors: segmentation
/// inputs N×C×D×H×W with class-index targets N×1×D×H×W, radiographs N×1×H×W with 0/1 targets N×1.
/// </summary>
public static class SyntheticTrainingSet
{
    public static (Tensor Inputs, Tensor Targets) Load(string cohortDirectory, IReadOnlyList<CohortCase> cases, WorkloadTask task)
    {
        using var scope = NewDisposeScope();
        var inputs = new List<Tensor>();
        var targets = new List<Tensor>();
        foreach (var item in cases)
        {
            var (input, target) = task switch
            {
                WorkloadTask.BrainMri => LoadBrain(cohortDirectory, item),
                WorkloadTask.LiverCt => LoadLiver(cohortDirectory, item),
                WorkloadTask.HipXray => LoadHip(cohortDirectory, item),
                _ => throw new ArgumentOutOfRangeException(nameof(task), task, null),
            };
            inputs.Add(input);
            targets.Add(target);
        }
        return (stack(inputs).MoveToOuterDisposeScope(), stack(targets).MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The cases as sources for the <see cref="CaseCache"/>: each keyed by the digest of the cohort's manifest (the
    /// cohort is a pure function of it) and the case id, prepared by reading that one case back from its DICOM and
    /// resampling it to <paramref name="spacing"/> (array order; null keeps the cohort's grid).
    /// </summary>
    public static IReadOnlyList<CaseSource> Sources(string cohortDirectory, IReadOnlyList<CohortCase> cases, WorkloadTask task, IReadOnlyList<double>? spacing)
    {
        var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(cohortDirectory, CohortManifest.FileName))));
        var workload = WorkloadRegistry.For(task);
        return [.. cases.Select(item => new CaseSource(
            CasePreparation.Key(workload, spacing, [$"synthetic cohort {digest}", $"case {item.Id}"]),
            () =>
            {
                var (inputs, targets) = Load(cohortDirectory, [item], task);
                using (inputs)
                using (targets)
                {
                    return CasePreparation.Prepare(inputs[0], targets[0], Spacing(cohortDirectory, item, task), spacing);
                }
            }))];
    }

    /// <summary>Voxel spacing of a case in array order (slices, rows, columns; rows, columns for a radiograph), in mm.</summary>
    public static IReadOnlyList<double> Spacing(string cohortDirectory, CohortCase item, WorkloadTask task)
    {
        if (task == WorkloadTask.HipXray)
        {
            var radiograph = DicomSeriesLoader.Load(Path.Combine(cohortDirectory, item.Series["DX"]));
            return [radiograph.Geometry.RowSpacing, radiograph.Geometry.ColumnSpacing];
        }
        var (header, _) = LabelVolume.Read(Path.Combine(cohortDirectory, item.Labels ?? throw new InvalidDataException($"{item.Id} has no labels")));
        return header.Spacing;
    }

    private static (Tensor, Tensor) LoadBrain(string root, CohortCase item)
    {
        var sequences = BrainMriPhantom.SequenceNames.Select(name => DicomSeriesLoader.Load(Path.Combine(root, item.Series[name]))).ToList();
        var (_, labels) = ReadLabels(root, item, [sequences[0].Depth, sequences[0].Height, sequences[0].Width]);
        return TaskTensors.Segmentation(WorkloadRegistry.For(WorkloadTask.BrainMri), sequences, labels);
    }

    private static (Tensor, Tensor) LoadLiver(string root, CohortCase item)
    {
        var ct = DicomSeriesLoader.Load(Path.Combine(root, item.Series["CT"]));
        var (_, labels) = ReadLabels(root, item, [ct.Depth, ct.Height, ct.Width]);
        return TaskTensors.Segmentation(WorkloadRegistry.For(WorkloadTask.LiverCt), [ct], labels);
    }

    private static (Tensor, Tensor) LoadHip(string root, CohortCase item) =>
        TaskTensors.Radiograph(WorkloadRegistry.For(WorkloadTask.HipXray), DicomSeriesLoader.Load(Path.Combine(root, item.Series["DX"])),
            item.Fracture ?? throw new InvalidDataException($"{item.Id} has no fracture label in {CohortManifest.FileName}"));

    private static (LabelVolume Header, byte[] Labels) ReadLabels(string root, CohortCase item, long[] shape)
    {
        var labels = LabelVolume.Read(Path.Combine(root, item.Labels ?? throw new InvalidDataException($"{item.Id} has no labels")));
        return labels.Header.Shape.Select(s => (long)s).SequenceEqual(shape)
            ? labels
            : throw new InvalidDataException($"{item.Id}: labels are {string.Join('×', labels.Header.Shape)}, the series {string.Join('×', shape)}");
    }
}
