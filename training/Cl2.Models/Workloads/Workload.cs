using Cl2.Models.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Workloads;

/// <summary>
/// One clinical workload, defined once and used by training and inference alike (the idea of a MONAI bundle): which
/// series it needs and how to find them in a study, how their values are normalised, the network and the manifests it
/// accepts, how the network's output becomes masks or a finding, and what those mean as coded concepts. Each is a small
/// plug-in registered by its task name in <see cref="WorkloadRegistry"/>; <see cref="Inference.WorkloadRunner"/> runs one on a study.
/// </summary>
public abstract class Workload
{
    public abstract WorkloadTask Task { get; }

    /// <summary>The registry key and what users type: brain-mri, liver-ct, hip-xray.</summary>
    public string Name => Task.Name();

    /// <summary>One rule per network input channel, in channel order.</summary>
    public abstract IReadOnlyList<SeriesRule> Series { get; }

    public IReadOnlyList<InputChannel> Channels => [.. Series.Select(rule => rule.Channel)];

    /// <summary>The network a model of this workload is trained with (an imported model may differ in hyper-parameters,
    /// not in its interface).</summary>
    public abstract ArchitectureSpec Architecture { get; }

    /// <summary>
    /// A small network with the interface of <see cref="Architecture"/> (channels in and out, dimensions): what the test
    /// suite trains its fixtures with. The reference networks (SegResNet, DenseNet-121) need minutes of CPU where a test
    /// has seconds; a model folder records the network it holds, so serving takes either.
    /// </summary>
    public abstract ArchitectureSpec SmallArchitecture { get; }

    /// <summary><see cref="Architecture"/> or <see cref="SmallArchitecture"/>, as <paramref name="network"/> chooses.</summary>
    public ArchitectureSpec ArchitectureOf(NetworkChoice network) => network == NetworkChoice.Small ? SmallArchitecture : Architecture;

    public abstract OutputSpec Output { get; }

    /// <summary>For a segmentation workload, what each class of <see cref="ClassMap"/> after background is, coded (by default
    /// one per output label after background); empty for classification.</summary>
    public virtual IReadOnlyList<OutputSegment> Segments => Output.Kind == OutputKind.Segmentation ? OutputSegment.Of(Output.Labels) : [];

    /// <summary>The class map of a segmentation network's logits (N×C×spatial → N×spatial, class indices as
    /// <see cref="Segments"/> number them): the arg-max over classes unless the workload's outputs are overlapping regions.</summary>
    public virtual Tensor ClassMap(Tensor logits) => logits.argmax(1);

    /// <summary>For a classification workload, the finding its one output scores; null for segmentation.</summary>
    public virtual OutputFinding? Finding => null;

    public abstract Postprocessing Postprocessing { get; }

    /// <summary>The largest edge of a sliding window in voxels (3-D workloads); smaller volumes run in one window.</summary>
    public virtual int WindowEdge => 96;

    /// <summary>How training samples patches (segmentation workloads); null trains on whole images, unaugmented.</summary>
    public virtual PatchSampling? Sampling => null;

    /// <summary>
    /// Maps one case's modality values (C×spatial, in channel order, on the manifest's grid) to what the network sees.
    /// Training and inference both call this, so a model is fed exactly as it was trained.
    /// </summary>
    public abstract Tensor Normalise(Tensor image);

    /// <summary>The class index a ground-truth voxel value trains (segmentation workloads).</summary>
    public virtual int ClassOf(byte groundTruth) => groundTruth;

    /// <summary>How this workload trains: loss, metrics, the metric that says "it learned", optimiser and schedule, sized for a CPU.</summary>
    /// <param name="trainingCases">Sizes the learning-rate schedule: a short warm-up, then cosine decay to the last step.</param>
    public abstract WorkloadTraining Training(int epochs, long seed, int trainingCases);

    /// <summary>Builds the network on the CPU with fresh weights (seed libtorch's generator first for a repeatable start).</summary>
    public nn.Module<Tensor, Tensor> CreateNetwork() => Architecture.Create();

    /// <summary>
    /// What in <paramref name="manifest"/> does not fit this workload: the network's channels in and out and its
    /// dimensions, the input channels (names and normalisation, in order), the output kind and labels. Empty when it fits.
    /// </summary>
    public IReadOnlyList<string> Check(CheckpointManifest manifest)
    {
        var problems = new List<string>();
        var (haveIn, haveOut, haveDims) = manifest.Architecture.Interface;
        var (wantIn, wantOut, wantDims) = Architecture.Interface;
        if ((haveIn, haveOut, haveDims) != (wantIn, wantOut, wantDims))
        {
            problems.Add($"its {manifest.Architecture.Name} takes {haveIn} channel(s) and gives {haveOut} in {haveDims}-D; {Name} needs {wantIn}, {wantOut}, {wantDims}-D");
        }
        var haveChannels = manifest.Input.Channels.Select(channel => channel.Modality);
        var wantChannels = Channels.Select(channel => channel.Modality);
        if (!haveChannels.SequenceEqual(wantChannels))
        {
            problems.Add($"its input channels are {string.Join(", ", haveChannels)}; {Name}'s are {string.Join(", ", wantChannels)}");
        }
        else
        {
            problems.AddRange(manifest.Input.Channels.Zip(Channels)
                .Where(pair => pair.First.Normalisation != pair.Second.Normalisation)
                .Select(pair => $"channel {pair.First.Modality} is normalised {Describe(pair.First.Normalisation)}; {Name} normalises it {Describe(pair.Second.Normalisation)}"));
        }
        if (manifest.Output.Kind != Output.Kind || !manifest.Output.Labels.SequenceEqual(Output.Labels))
        {
            problems.Add($"its outputs are {manifest.Output.Kind} [{string.Join(", ", manifest.Output.Labels)}]; {Name}'s are {Output.Kind} [{string.Join(", ", Output.Labels)}]");
        }
        return problems;
    }

    private static string Describe(IntensityNormalisation normalisation) => normalisation.Kind == IntensityNormalisationKind.ClipAndScale
        ? $"{normalisation.Kind} [{normalisation.Lower}, {normalisation.Upper}]"
        : normalisation.Kind.ToString();
}
