using System.Security.Cryptography;
using System.Text;
using Cl2.Dicom;
using Cl2.Dicom.Imaging;
using Cl2.Dicom.Web;
using Cl2.Labeling.Client;
using Cl2.Models.Checkpoints;
using Cl2.Models.Datasets;
using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;
using Cl2.Training.Jobs;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace Cl2.Training.Datasets;

/// <summary>
/// Reads a job's training set (<see cref="DatasetLabels"/>, at its data cut) into the case cache: per usable case the label blob from labeling's blob store (a
/// <see cref="MaskArchive"/> for segmentation, a <see cref="ClassificationLabel"/> for classification), the series it
/// references (in the workload's channel order) with WADO-RS from labeling's archive, assembled through
/// <see cref="DicomSeriesLoader"/>, a mask checked against its series' grid, normalised as the workload says
/// (<see cref="TaskTensors"/>) and resampled (<see cref="CasePreparation"/>). A case already in the cache is not read
/// again: its key is the study's instances as the archive lists them (QIDO-RS), the label revision and its blob, and
/// the preprocessing. A case whose label or series cannot be used is skipped with its reason; the job fails only when
/// no training or no validation case is left. The held-out cases (the dataset's test part, the held-out corrections)
/// are prepared too, for the candidate's evaluation. Only one case is in memory at a time here.
/// </summary>
public sealed partial class ArchiveDataset(LabelingClient labeling, BlobClient blobs, DicomWebClient archive, IOptions<FeedbackTrainingOptions> feedback,
    ILogger<ArchiveDataset> logger)
{
    /// <param name="spacing">The training grid's spacing in array order (the job's sampling); null keeps each case's own.</param>
    public async Task<JobCases> LoadAsync(Guid jobId, Workload workload, IReadOnlyList<double>? spacing, CaseCache cache, CancellationToken cancellationToken)
    {
        var (name, dataCut, cases) = await DatasetLabels.ReadAsync(labeling, jobId, cancellationToken);
        cases = DatasetLabels.WithAcceptedWeight(cases, feedback.Value.AcceptedLabelWeight);
        var trainingWeights = new List<double>();
        // A held-out case that cannot be used is left out of the evaluation, not counted against the training data.
        var skipped = cases.Where(item => item.SkipReason is not null && item.Part != DatasetPart.Test).Select(item => (item.CaseId, item.SkipReason!)).ToList();
        var train = new List<CaseSource>();
        var validation = new List<CaseSource>();
        var test = new List<(LabelledCase Case, CaseSource Source)>();
        var used = new List<LabelledCase>();
        var fromArchive = 0;
        foreach (var item in cases.Where(item => item.Label is not null))
        {
            try
            {
                var key = await CaseKeyAsync(item, workload, spacing, cancellationToken);
                // Prepared again only if the cache file went missing during training (e.g. deleted by hand).
                var source = new CaseSource(key, () => PrepareAsync(item, workload, spacing, CancellationToken.None).GetAwaiter().GetResult());
                if (!cache.Contains(key))
                {
                    using var prepared = await PrepareAsync(item, workload, spacing, cancellationToken);
                    cache.Ensure(key, () => prepared);
                    fromArchive++;
                }
                switch (item.Part)
                {
                    case DatasetPart.Test:
                        test.Add((item, source));
                        continue;
                    case DatasetPart.Train:
                        train.Add(source);
                        trainingWeights.Add(item.Weight);
                        break;
                    default:
                        validation.Add(source);
                        break;
                }
                used.Add(item);
            }
            catch (Exception exception) when (exception is InvalidDataException or DicomWebException or DicomFormatException
                or VolumeAssemblyException or PixelDataException or HttpRequestException { StatusCode: System.Net.HttpStatusCode.NotFound })
            {
                if (item.Part == DatasetPart.Test)
                {
                    LogNotEvaluated(logger, item.CaseId, exception.Message);
                    continue;
                }
                skipped.Add((item.CaseId, exception.Message));
            }
        }
        foreach (var (caseId, reason) in skipped)
        {
            LogSkipped(logger, caseId, reason);
        }
        LogCached(logger, used.Count + test.Count, fromArchive, used.Count + test.Count - fromArchive, cache.Directory, dataCut);
        if (train.Count == 0 || validation.Count == 0)
        {
            throw new InvalidOperationException(NoUsableCaseMessage(name, dataCut, train.Count == 0 ? "training" : "validation", used.Count, skipped));
        }
        var heldOut = new HeldOutCases(
            [.. test.Where(entry => !entry.Case.IsFeedback).Select(entry => entry.Source)],
            [.. test.Where(entry => entry.Case.IsFeedback).Select(entry => entry.Source)],
            [.. test.Where(entry => entry.Case.IsFeedback).Select(entry => entry.Case.FeedbackId!.Value)]);
        var accepted = used.Where(item => item.IsAccepted).ToList();
        if (accepted.Count > 0)
        {
            LogAccepted(logger, accepted.Count, feedback.Value.AcceptedLabelWeight);
        }
        return new JobCases(train, validation, [.. used.Where(item => !item.IsAccepted).Select(item => item.Label!.Id)], Digest(used), skipped,
            [.. used.Where(item => item is { IsFeedback: true, IsAccepted: false }).Select(item => item.FeedbackId!.Value)], heldOut,
            trainingWeights.Any(weight => weight != 1) ? trainingWeights : null,
            [.. accepted.Select(item => new AcceptedResultLabelInput(item.FeedbackId!.Value, item.Label!.Id, item.Weight))]);
    }

    /// <summary>
    /// Why a job cannot train: the part with no usable case, the first reasons cases were skipped, and what to do. A small
    /// dataset without a fixed split may have no validation case at all (every fifth case validates), so that message
    /// points at <c>fixDatasetSplit</c> rather than at labelling more of a part the user cannot see.
    /// </summary>
    public static string NoUsableCaseMessage(string dataset, long dataCut, string part, int usable, IReadOnlyList<(Guid CaseId, string Reason)> skipped)
    {
        var reasons = string.Join("; ", skipped.Take(5).Select(entry => $"case {entry.CaseId}: {entry.Reason}"));
        return $"Dataset '{dataset}' has no usable {part} case at data cut {dataCut} ({usable} usable, {skipped.Count} skipped" +
            (reasons.Length > 0 ? $": {reasons}" : "") + "). Label (or fix) cases in its " + part + " part, then request the training again." +
            (part == "validation"
                ? " Without a fixed split every fifth case (by id) validates, so a small dataset may have none: " +
                  "fix one with fixDatasetSplit(input: { datasetId, validationFraction }) first."
                : "");
    }

    /// <summary>
    /// The case's cache key: the study's instances as the archive's index lists them (series and SOP Instance UIDs, a
    /// search, not a retrieval), the label revision and its blob's digest, and the workload's preprocessing.
    /// </summary>
    private async Task<string> CaseKeyAsync(LabelledCase item, Workload workload, IReadOnlyList<double>? spacing, CancellationToken cancellationToken)
    {
        var instances = await archive.SearchInstancesAsync(item.StudyInstanceUid, cancellationToken: cancellationToken);
        var lines = instances
            .Select(instance => $"instance {instance.GetStringOrDefault(DicomTags.SeriesInstanceUID)} {instance.GetStringOrDefault(DicomTags.SOPInstanceUID)}")
            .Order(StringComparer.Ordinal);
        return CasePreparation.Key(workload, spacing,
            [$"study {item.StudyInstanceUid}", .. lines, $"label {item.Label!.Id:D} {item.Label.BlobDigest}"]);
    }

    private async Task<PreparedCase> PrepareAsync(LabelledCase item, Workload workload, IReadOnlyList<double>? spacing, CancellationToken cancellationToken)
    {
        var (input, target, ownSpacing) = await LoadCaseAsync(item, workload, cancellationToken);
        using (input)
        using (target)
        {
            return CasePreparation.Prepare(input, target, ownSpacing, spacing);
        }
    }

    private async Task<(Tensor Input, Tensor Target, IReadOnlyList<double> Spacing)> LoadCaseAsync(LabelledCase item, Workload workload,
        CancellationToken cancellationToken)
    {
        if (item.IsAccepted)
        {
            return await AcceptedResultLabel.LoadAsync(archive, item, workload, cancellationToken);
        }
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
        MaskGeometry.RequireOnEvery(header, series);
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

    private static string Digest(IEnumerable<LabelledCase> used)
    {
        var lines = used.Select(item => $"{item.CaseId:D} {item.Part} {item.Label!.Id:D} {item.Label.BlobDigest}\n").Order(StringComparer.Ordinal);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(lines))));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Usable} usable cases: {FromArchive} read from the archive, {FromCache} from the case cache in {Directory} (data cut {DataCut})")]
    private static partial void LogCached(ILogger logger, int usable, int fromArchive, int fromCache, string directory, long dataCut);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} accepted result(s) train with the model's own output as the label, at loss weight {Weight}")]
    private static partial void LogAccepted(ILogger logger, int count, double weight);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Held-out case {CaseId} left out of the evaluation: {Reason}")]
    private static partial void LogNotEvaluated(ILogger logger, Guid caseId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Case {CaseId} skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, Guid caseId, string reason);
}
