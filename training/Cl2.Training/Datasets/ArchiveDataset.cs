using System.Security.Cryptography;
using System.Text;
using Cl2.Dicom;
using Cl2.Dicom.Imaging;
using Cl2.Dicom.Web;
using Cl2.Labeling.Client;
using Cl2.Models.Checkpoints;
using Cl2.Models.Datasets;
using Cl2.Models.Synthetic;
using Cl2.Models.Transforms;
using Cl2.Models.Workloads;
using Cl2.Training.Jobs;
using static TorchSharp.torch;

namespace Cl2.Training.Datasets;

/// <summary>
/// Reads a dataset for a job: per usable case the label blob from labeling's blob store (a <see cref="MaskArchive"/> for
/// segmentation, a <see cref="ClassificationLabel"/> for classification), the series it references (in the workload's
/// channel order) with WADO-RS from labeling's archive, assembled through <see cref="DicomSeriesLoader"/>, a mask checked
/// against its series' grid, normalised as the workload says (<see cref="TaskTensors"/>). A case whose label or
/// series cannot be used is skipped with its reason; the job fails only when no training or no validation case is left.
/// Every case is resized to the first training case's shape.
/// </summary>
public sealed partial class ArchiveDataset(LabelingClient labeling, BlobClient blobs, DicomWebClient archive, ILogger<ArchiveDataset> logger)
{
    public async Task<JobData> LoadAsync(Guid datasetId, Workload workload, CancellationToken cancellationToken)
    {
        var (name, cases) = await DatasetLabels.ReadAsync(labeling, datasetId, cancellationToken);
        var skipped = cases.Where(item => item.SkipReason is not null).Select(item => (item.CaseId, item.SkipReason!)).ToList();
        var train = new List<(Tensor Input, Tensor Target)>();
        var validation = new List<(Tensor Input, Tensor Target)>();
        var used = new List<LabelledCase>();
        IReadOnlyList<double>? spacing = null;
        // No dispose scope here: scopes are per thread and this method awaits. Each case's tensors are disposed once stacked.
        try
        {
            foreach (var item in cases.Where(item => item.Label is not null))
            {
                try
                {
                    var (input, target, caseSpacing) = await LoadCaseAsync(item, workload, cancellationToken);
                    (item.Part == DatasetPart.Train ? train : validation).Add((input, target));
                    spacing ??= item.Part == DatasetPart.Train ? caseSpacing : null;
                    used.Add(item);
                }
                catch (Exception exception) when (exception is InvalidDataException or DicomWebException or DicomFormatException
                    or VolumeAssemblyException or PixelDataException or HttpRequestException { StatusCode: System.Net.HttpStatusCode.NotFound })
                {
                    skipped.Add((item.CaseId, exception.Message));
                }
            }
        }
        catch
        {
            // Labeling or the archive failed, or the job was cancelled: nothing will stack what was read.
            DisposeAll(train);
            DisposeAll(validation);
            throw;
        }
        foreach (var (caseId, reason) in skipped)
        {
            LogSkipped(logger, caseId, reason);
        }
        if (train.Count == 0 || validation.Count == 0)
        {
            DisposeAll(train);
            DisposeAll(validation);
            var part = train.Count == 0 ? "training" : "validation";
            var reasons = string.Join("; ", skipped.Take(5).Select(entry => $"case {entry.CaseId}: {entry.Item2}"));
            throw new InvalidOperationException(
                $"Dataset '{name}' has no usable {part} case ({used.Count} usable, {skipped.Count} skipped" + (reasons.Length > 0 ? $": {reasons}" : "") +
                "). Label (or fix) cases in its " + part + " part, then request the training again." +
                (part == "validation"
                    ? " Without a fixed split every fifth case (by id) validates, so a small dataset may have none: " +
                      "fix one with fixDatasetSplit(input: { datasetId, validationFraction }) first."
                    : ""));
        }
        var size = train[0].Input.shape.Skip(1).ToArray();
        var (trainInputs, trainTargets) = Stack(train, size);
        var (validInputs, validTargets) = Stack(validation, size);
        return new JobData(trainInputs, trainTargets, validInputs, validTargets, spacing!,
            [.. used.Select(item => item.Label!.Id)], Digest(used), skipped);
    }

    private async Task<(Tensor Input, Tensor Target, IReadOnlyList<double> Spacing)> LoadCaseAsync(LabelledCase item, Workload workload,
        CancellationToken cancellationToken)
    {
        var label = item.Label!;
        var wanted = workload.Output.Kind == OutputKind.Segmentation ? "SEGMENTATION" : "CLASSIFICATION";
        if (label.Kind != wanted)
        {
            throw new InvalidDataException(
                $"its label revision {label.Revision} is a {label.Kind.ToLowerInvariant()} label; a {workload.Name} model learns from {wanted.ToLowerInvariant()} labels");
        }
        var blob = await blobs.ReadAsync(label.BlobDigest, cancellationToken);
        var source = $"label blob {label.BlobDigest}";
        if (workload.Output.Kind == OutputKind.Classification)
        {
            var classification = ClassificationLabel.Read(blob, source);
            var name = workload.Output.Labels[0];
            var radiograph = await ReferencedSeriesAsync(item, classification.ReferencedSeriesInstanceUids, workload, cancellationToken);
            var (image, value) = TaskTensors.Radiograph(workload, radiograph[0], classification.Labels.TryGetValue(name, out var present) ? present
                : throw new InvalidDataException($"its label names {string.Join(", ", classification.Labels.Keys)}, not '{name}'"));
            return (image, value, [radiograph[0].Geometry.RowSpacing, radiograph[0].Geometry.ColumnSpacing]);
        }
        using var mask = new MemoryStream(blob);
        var (header, labels) = MaskArchive.Read(mask, source);
        var series = await ReferencedSeriesAsync(item, header.ReferencedSeriesInstanceUids, workload, cancellationToken);
        foreach (var (loaded, seriesUid) in series.Zip(header.ReferencedSeriesInstanceUids))
        {
            if (MaskGeometry.Mismatch(header, loaded) is { } mismatch)
            {
                throw new InvalidDataException($"its mask does not lie on series {seriesUid}: {mismatch}");
            }
        }
        var (input, target) = TaskTensors.Segmentation(workload, series, labels);
        return (input, target, header.Spacing);
    }

    /// <summary>The series a label names, one per input channel in channel order, from the archive.</summary>
    private async Task<List<LoadedSeries>> ReferencedSeriesAsync(LabelledCase item, IReadOnlyList<string> seriesUids, Workload workload,
        CancellationToken cancellationToken)
    {
        if (seriesUids.Count != workload.Channels.Count)
        {
            throw new InvalidDataException(
                $"its label references {seriesUids.Count} series; a {workload.Name} model reads {workload.Channels.Count} " +
                $"({string.Join(", ", workload.Channels.Select(channel => channel.Modality))}, in this order)");
        }
        var series = new List<LoadedSeries>();
        foreach (var seriesUid in seriesUids)
        {
            series.Add(await RetrieveSeriesAsync(item.StudyInstanceUid, seriesUid, cancellationToken));
        }
        return series;
    }

    private async Task<LoadedSeries> RetrieveSeriesAsync(string studyUid, string seriesUid, CancellationToken cancellationToken)
    {
        var files = new List<DicomFile>();
        await foreach (var part in archive.RetrieveAsync(studyUid, seriesUid, cancellationToken: cancellationToken))
        {
            files.Add(DicomFile.Open(new MemoryStream(part)));
        }
        return files.Count > 0
            ? DicomSeriesLoader.Load(files)
            : throw new InvalidDataException($"the archive holds no image of series {seriesUid} in study {studyUid}");
    }

    private static (Tensor Inputs, Tensor Targets) Stack(List<(Tensor Input, Tensor Target)> cases, long[] size)
    {
        using var scope = NewDisposeScope();
        var inputs = stack(cases.Select(item => Resample.ToSize(item.Input, size, labels: false)).ToList());
        // A class-index map is resized with its image; a classification target (one value per label) is not an image.
        var targets = stack(cases.Select(item => item.Target.dim() == 1 ? item.Target.alias() : Resample.ToSize(item.Target, size, labels: true)).ToList());
        DisposeAll(cases);
        return (inputs.MoveToOuterDisposeScope(), targets.MoveToOuterDisposeScope());
    }

    private static void DisposeAll(List<(Tensor Input, Tensor Target)> cases)
    {
        foreach (var (input, target) in cases)
        {
            input.Dispose();
            target.Dispose();
        }
    }

    private static string Digest(IEnumerable<LabelledCase> used)
    {
        var lines = used.Select(item => $"{item.CaseId:D} {item.Part} {item.Label!.Id:D} {item.Label.BlobDigest}\n").Order(StringComparer.Ordinal);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(lines))));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Case {CaseId} skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, Guid caseId, string reason);
}
