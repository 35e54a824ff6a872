using System.Diagnostics;
using System.Globalization;
using Cl2.Dicom;
using Cl2.Dicom.Imaging;
using Cl2.Models.Checkpoints;
using Cl2.Models.Synthetic;
using Cl2.Models.Transforms;
using Cl2.Models.Workloads;
using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Inference;

/// <summary>
/// Runs one workload's model on one study, with no service around it: selects the series the workload needs
/// (<see cref="SeriesSelection"/>), assembles them (<see cref="DicomSeriesLoader"/>), resamples to the manifest's spacing
/// and normalises (<see cref="Workload.Normalise"/>, as in training), runs the network on the device (sliding windows in
/// 3-D), and post-processes on the source grid (<see cref="Workload.Postprocessing"/>). Holds the loaded network, so one
/// runner serves many studies; not thread-safe (one study at a time).
/// </summary>
public sealed class WorkloadRunner : IDisposable
{
    /// <summary>A window edge is rounded up to this many voxels, enough for every down-sampling of the networks here.</summary>
    private const int WindowMultiple = 16;

    /// <summary>Relative difference below which two spacings count as equal and no resampling is done.</summary>
    private const double SpacingTolerance = 1e-3;

    private readonly nn.Module<Tensor, Tensor> _network;

    /// <exception cref="WorkloadException"><see cref="WorkloadErrorCodes.ManifestDoesNotFit"/>: what does not fit.</exception>
    public WorkloadRunner(Workload workload, CheckpointManifest manifest, nn.Module<Tensor, Tensor> network, ComputeDevice device)
    {
        var problems = workload.Check(manifest);
        if (problems.Count > 0)
        {
            throw new WorkloadException(WorkloadErrorCodes.ManifestDoesNotFit,
                $"the model does not fit {workload.Name}: {string.Join("; ", problems)}. Use a model trained or imported for {workload.Name}.");
        }
        Workload = workload;
        Manifest = manifest;
        Device = device;
        this._network = network;
        network.to(device.Device);
        network.eval();
    }

    public Workload Workload { get; }

    public CheckpointManifest Manifest { get; }

    public ComputeDevice Device { get; }

    /// <summary>How 3-D volumes are run: window overlap and windows per forward pass (<see cref="SlidingWindowInference"/>).</summary>
    public SlidingWindowSettings SlidingWindow { get; set; } = SlidingWindowSettings.Default;

    /// <summary>Reads a model folder as <c>./cl2 train</c> and <c>./cl2 model import</c> write it (weights.bin + manifest.json).</summary>
    /// <param name="workload">The workload to run; null takes the one workload the manifest fits (<see cref="WorkloadRegistry.ForManifest"/>).</param>
    /// <exception cref="WorkloadException"><see cref="WorkloadErrorCodes.ModelUnreadable"/> or <see cref="WorkloadErrorCodes.ManifestDoesNotFit"/>.</exception>
    public static async Task<WorkloadRunner> LoadAsync(Workload? workload, string modelDirectory, ComputeDevice device,
        CancellationToken cancellationToken)
    {
        foreach (var file in new[] { Checkpoint.ManifestFileName, Checkpoint.WeightsFileName })
        {
            if (!File.Exists(Path.Combine(modelDirectory, file)))
            {
                throw new WorkloadException(WorkloadErrorCodes.ModelUnreadable,
                    $"{Path.GetFullPath(modelDirectory)} has no {file}: a model folder holds {Checkpoint.WeightsFileName} and " +
                    $"{Checkpoint.ManifestFileName}, as ./cl2 train (its model/ folder) or ./cl2 model import writes them");
            }
        }
        CheckpointManifest manifest;
        nn.Module<Tensor, Tensor> network;
        try
        {
            (manifest, network) = await Checkpoint.ReadAsync(modelDirectory, cancellationToken);
        }
        catch (Exception exception) when (exception is InvalidDataException or System.Text.Json.JsonException)
        {
            throw new WorkloadException(WorkloadErrorCodes.ModelUnreadable, $"the model in {Path.GetFullPath(modelDirectory)} cannot be read: {exception.Message}");
        }
        try
        {
            return new WorkloadRunner(workload ?? WorkloadRegistry.ForManifest(manifest), manifest, network, device);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The DICOM files under <paramref name="directory"/> (recursively), parsed. A file is taken for DICOM when it is
    /// named *.dcm or starts with the Part 10 preamble ("DICM" at byte 128); others (a DICOMDIR, notes, ground truth)
    /// are left out and named in <paramref name="skipped"/>.
    /// </summary>
    /// <exception cref="WorkloadException"><see cref="WorkloadErrorCodes.UnreadableInstance"/> naming the file, or <see cref="WorkloadErrorCodes.EmptyStudy"/>.</exception>
    public static IReadOnlyList<DicomFile> ReadStudy(string directory, ICollection<string>? skipped = null)
    {
        if (!Directory.Exists(directory))
        {
            throw new WorkloadException(WorkloadErrorCodes.EmptyStudy, $"{Path.GetFullPath(directory)} is not a folder");
        }
        var files = new List<DicomFile>();
        foreach (var path in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(path).Equals("DICOMDIR", StringComparison.OrdinalIgnoreCase)
                || (!path.EndsWith(".dcm", StringComparison.OrdinalIgnoreCase) && !HasPreamble(path)))
            {
                skipped?.Add(path);
                continue;
            }
            try
            {
                files.Add(DicomFile.Open(path));
            }
            catch (DicomFormatException exception)
            {
                throw new WorkloadException(WorkloadErrorCodes.UnreadableInstance,
                    $"{path} is not a readable DICOM file ({exception.Message}); remove it from the study folder or replace it");
            }
        }
        return files.Count > 0 ? files : throw new WorkloadException(WorkloadErrorCodes.EmptyStudy, $"{Path.GetFullPath(directory)} holds no DICOM files");
    }

    private static bool HasPreamble(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> head = stackalloc byte[132];
        return stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && head[128..].SequenceEqual("DICM"u8);
    }

    public WorkloadResult Run(string studyDirectory, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        var files = ReadStudy(studyDirectory);
        return Run(files, watch.Elapsed, cancellationToken);
    }

    /// <summary>Runs on the images of one study, parsed (e.g. received by C-STORE or retrieved by WADO-RS), in any order.</summary>
    /// <exception cref="WorkloadException">The study does not hold what the workload needs, or cannot be read; the code says which.</exception>
    public WorkloadResult Run(IReadOnlyList<DicomFile> study, CancellationToken cancellationToken = default) =>
        Run(study, TimeSpan.Zero, cancellationToken);

    private WorkloadResult Run(IReadOnlyList<DicomFile> study, TimeSpan reading, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var (sources, loaded) = Load(study);
        var load = reading + watch.Elapsed;
        cancellationToken.ThrowIfCancellationRequested();

        using var scope = NewDisposeScope();
        watch.Restart();
        var spatialDims = Manifest.Architecture.Interface.SpatialDims;
        var (input, resampled) = Preprocess(loaded, spatialDims);
        var preprocess = watch.Elapsed;
        cancellationToken.ThrowIfCancellationRequested();

        watch.Restart();
        Tensor logits;
        using (no_grad())
        {
            // On the CPU before the clock stops, so the model's time includes the device finishing its work.
            logits = Forward(input).to_type(ScalarType.Float32).cpu();
        }
        var model = watch.Elapsed;
        cancellationToken.ThrowIfCancellationRequested();

        watch.Restart();
        var reference = loaded[0];
        SegmentationOutput? segmentation = null;
        ClassificationOutput? classification = null;
        if (Workload.Output.Kind == OutputKind.Segmentation)
        {
            segmentation = Segment(logits, resampled, reference.Depth, reference.Height, reference.Width);
        }
        else
        {
            var probability = (double)sigmoid(logits.flatten()[0]).item<float>();
            var threshold = Workload.Postprocessing.Threshold;
            classification = new ClassificationOutput(Workload.Finding!, probability, probability >= threshold, threshold);
        }
        var postprocess = watch.Elapsed;
        return new WorkloadResult(Workload, Manifest, sources, segmentation, classification, new WorkloadTimings(load, preprocess, model, postprocess));
    }

    /// <summary>The network's input for one study (1×C×spatial on the device), as <see cref="Run(IReadOnlyList{DicomFile}, CancellationToken)"/> prepares it.</summary>
    /// <exception cref="WorkloadException">The study does not hold what the workload needs, or cannot be read.</exception>
    public Tensor Input(IReadOnlyList<DicomFile> study)
    {
        var (_, loaded) = Load(study);
        // Its own scope, as Run's: the intermediates stay referenced (a collection on another thread cannot finalize one
        // while libtorch reads it) and are freed here; the input goes to the caller's scope, or to none.
        using var scope = NewDisposeScope();
        return Preprocess(loaded, Manifest.Architecture.Interface.SpatialDims).Input.MoveToOuterDisposeScope();
    }

    /// <summary>The network's logits for an input of <see cref="Input"/>: a sliding window over a volume, one pass over an
    /// image. The network's mode is the caller's (active-learning scoring turns dropout on).</summary>
    public Tensor Forward(Tensor input)
    {
        // The network's intermediates are held by this scope, as Input's; the logits go to the caller's scope, or to none.
        using var scope = NewDisposeScope();
        var logits = Manifest.Architecture.Interface.SpatialDims == 3
            ? new SlidingWindowInference([.. input.shape.Skip(2).Select(WindowEdge)], SlidingWindow.Overlap, batchSize: SlidingWindow.BatchSize).Run(input, window => _network.forward(window))
            : _network.forward(input);
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>The loaded network (its mode and weights; <see cref="Forward"/> runs it).</summary>
    public nn.Module<Tensor, Tensor> Network => _network;

    private (List<InputSeries> Sources, List<LoadedSeries> Loaded) Load(IReadOnlyList<DicomFile> study)
    {
        var bySeries = study.GroupBy(file => file.Dataset.GetStringOrDefault(DicomTags.SeriesInstanceUID, "")!.Trim())
            .ToDictionary(group => group.Key, group => group.ToList());
        var summaries = bySeries.Select(pair => Summary(pair.Key, pair.Value)).ToList();
        var sources = new List<InputSeries>();
        var loaded = new List<LoadedSeries>();
        foreach (var selection in SeriesSelection.Select(Workload, summaries))
        {
            var files = bySeries[selection.Series.SeriesInstanceUid];
            var volumetric = Manifest.Architecture.Interface.SpatialDims == 3;
            if (volumetric && files.Count == 1)
            {
                throw new WorkloadException(WorkloadErrorCodes.SeriesNotAVolume,
                    $"the {selection.Rule.Name} series {selection.Series} is one image; {Workload.Name} needs a volume");
            }
            if (!volumetric && files.Count > 1)
            {
                throw new WorkloadException(WorkloadErrorCodes.SeriesAmbiguous,
                    $"the {selection.Rule.Name} series {selection.Series} holds {files.Count} images; {Workload.Name} reads one. Send the one image to read.");
            }
            LoadedSeries series;
            try
            {
                series = DicomSeriesLoader.Load(files);
            }
            catch (VolumeAssemblyException exception)
            {
                throw new WorkloadException(WorkloadErrorCodes.SeriesNotAVolume,
                    $"the {selection.Rule.Name} series {selection.Series} cannot form a volume: {exception.Message}. " +
                    "Send the series as acquired (all slices, one orientation, even spacing).");
            }
            catch (Exception exception) when (exception is PixelDataException or DicomFormatException)
            {
                throw new WorkloadException(WorkloadErrorCodes.UnreadableInstance,
                    $"an image of the {selection.Rule.Name} series {selection.Series} cannot be decoded: {exception.Message}");
            }
            var byUid = files.ToDictionary(file => file.Dataset.GetString(DicomTags.SOPInstanceUID).Trim(), file => file.Dataset);
            IReadOnlyList<DicomDataset> instances = files.Count == 1 ? [files[0].Dataset] : [.. series.Geometry.Slices.Select(slice => byUid[slice.Id])];
            sources.Add(new InputSeries(selection, series.Geometry, instances));
            loaded.Add(series);
        }
        foreach (var (other, source) in loaded.Zip(sources).Skip(1))
        {
            if (GridMismatch(loaded[0], other) is { } mismatch)
            {
                throw new WorkloadException(WorkloadErrorCodes.ChannelsOnDifferentGrids,
                    $"the {source.Selection.Rule.Name} series does not lie on the {sources[0].Selection.Rule.Name} series' grid ({mismatch}); " +
                    $"{Workload.Name} needs its series co-registered on one grid (resample them on the scanner or PACS first)");
            }
        }
        return (sources, loaded);
    }

    /// <returns>The network's input (1×C×spatial on the device) and whether it was resampled from the source grid.</returns>
    private (Tensor Input, bool Resampled) Preprocess(IReadOnlyList<LoadedSeries> channels, int spatialDims)
    {
        var reference = channels[0];
        long[] shape = spatialDims == 3 ? [reference.Depth, reference.Height, reference.Width] : [reference.Height, reference.Width];
        double[] spacing = spatialDims == 3
            ? [reference.Geometry.SliceSpacing, reference.Geometry.RowSpacing, reference.Geometry.ColumnSpacing]
            : [reference.Geometry.RowSpacing, reference.Geometry.ColumnSpacing];
        // The manifest lists spacing as x, y[, z]; tensors keep axes in array order (z, y, x).
        var target = Manifest.Input.SpacingMm.Reverse().ToArray();
        var image = stack(channels.Select(series => tensor(series.Values).reshape(shape)).ToList());
        var resample = spacing.Zip(target).Any(pair => Math.Abs(pair.First - pair.Second) > SpacingTolerance * pair.Second);
        var onGrid = resample ? Resample.Image(image, spacing, target) : image;
        return (Workload.Normalise(onGrid).unsqueeze(0).to(Device.Device), resample);
    }

    private SegmentationOutput Segment(Tensor logits, bool resampled, int depth, int height, int width)
    {
        if (resampled)
        {
            logits = nn.functional.interpolate(logits, [depth, height, width], mode: InterpolationMode.Trilinear, align_corners: false);
        }
        var classes = Workload.ClassMap(logits).squeeze(0).to_type(ScalarType.Byte).data<byte>().ToArray();
        foreach (var set in Workload.Postprocessing.LargestComponentOf)
        {
            ConnectedComponents.KeepLargest(classes, depth, height, width, set);
        }
        foreach (var filling in Workload.Postprocessing.FillHoles)
        {
            ConnectedComponents.FillHoles(classes, depth, height, width, filling.Of, (byte)filling.With);
        }
        var segments = Workload.Segments.Select(segment =>
        {
            var mask = new byte[classes.Length];
            var voxels = 0;
            for (var i = 0; i < classes.Length; i++)
            {
                if (classes[i] == segment.Label)
                {
                    mask[i] = 1;
                    voxels++;
                }
            }
            return new PredictedSegment(segment, mask, voxels);
        }).ToList();
        return new SegmentationOutput(depth, height, width, classes, segments);
    }

    private long WindowEdge(long size) => Math.Min(Workload.WindowEdge, (size + WindowMultiple - 1) / WindowMultiple * WindowMultiple);

    private static SeriesSummary Summary(string seriesUid, IReadOnlyList<DicomFile> files)
    {
        var first = files[0].Dataset;
        var number = int.TryParse(first.GetStringOrDefault(DicomTags.SeriesNumber, null)?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : (int?)null;
        return new SeriesSummary(seriesUid, first.GetStringOrDefault(DicomTags.Modality, "")!.Trim(),
            first.GetStringOrDefault(DicomTags.SOPClassUID, "")!.Trim(), first.GetStringOrDefault(DicomTags.SeriesDescription, "")!.Trim(),
            number, files.Count);
    }

    private static string? GridMismatch(LoadedSeries reference, LoadedSeries other)
    {
        if ((reference.Depth, reference.Height, reference.Width) != (other.Depth, other.Height, other.Width))
        {
            return $"{other.Depth}×{other.Height}×{other.Width} voxels against {reference.Depth}×{reference.Height}×{reference.Width}";
        }
        var (a, b) = (reference.Geometry, other.Geometry);
        var offset = (a.Origin - b.Origin).Length;
        var tilt = 1 - Math.Abs(a.Normal.Dot(b.Normal));
        return offset > 0.01 || tilt > 1e-4 || Math.Abs(a.RowSpacing - b.RowSpacing) > 1e-3 || Math.Abs(a.ColumnSpacing - b.ColumnSpacing) > 1e-3
            || Math.Abs(a.SliceSpacing - b.SliceSpacing) > 1e-3
            ? $"origin {b.Origin} against {a.Origin}, spacing {b.RowSpacing}/{b.ColumnSpacing}/{b.SliceSpacing} against {a.RowSpacing}/{a.ColumnSpacing}/{a.SliceSpacing}"
            : null;
    }

    public void Dispose() => _network.Dispose();
}

/// <summary>Sliding-window inference of 3-D volumes: how much windows overlap (a fraction of the window) and how many go
/// through the network at once.</summary>
public sealed record SlidingWindowSettings(double Overlap, int BatchSize)
{
    public static readonly SlidingWindowSettings Default = new(0.25, 1);
}
