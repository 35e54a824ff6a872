using System.Runtime.InteropServices;
using Cl2.Models.Checkpoints;
using Cl2.Models.Workloads;
using static TorchSharp.torch;

namespace Cl2.Models.Import;

/// <summary>
/// Imports a model trained elsewhere as a model of one workload: a PyTorch state dict must fit the workload's network
/// key by key and shape by shape (<see cref="Import.StateDictMismatchException"/> names every key that does not); a
/// TorchScript archive must take the workload's input and give its output, which a forward pass on a blank input checks.
/// The manifest is the workload's (channels, normalisation, outputs) with the spacing the model was trained at, and its
/// lineage names the imported file's digest.
/// </summary>
public static class WorkloadImport
{
    /// <summary>The edge of the blank probe image in pixels (voxels in 3-D): divisible by every down-sampling of our networks.</summary>
    private const int ProbeEdge = 64;

    public static Task<CheckpointManifest> FromStateDictAsync(Workload workload, string stateDictPath, IReadOnlyList<double> spacingXyz,
        string codeVersion, string directory, CancellationToken cancellationToken) =>
        ModelImport.FromStateDictAsync(stateDictPath, new ImportSpec(workload.Architecture, Input(workload, spacingXyz), workload.Output, codeVersion),
            directory, cancellationToken);

    /// <exception cref="InvalidDataException">The file is not TorchScript, or its output does not have the workload's shape.</exception>
    public static Task<CheckpointManifest> FromTorchScriptAsync(Workload workload, string scriptPath, IReadOnlyList<double> spacingXyz,
        string codeVersion, string directory, CancellationToken cancellationToken)
    {
        var (inChannels, outChannels, spatialDims) = workload.Architecture.Interface;
        ProbeTorchScript(workload, scriptPath, inChannels, outChannels, spatialDims);
        var architecture = ArchitectureSpec.Of(new TorchScriptOptions { InChannels = inChannels, OutChannels = outChannels, SpatialDims = spatialDims });
        return ModelImport.FromTorchScriptAsync(scriptPath, new ImportSpec(architecture, Input(workload, spacingXyz), workload.Output, codeVersion),
            directory, cancellationToken);
    }

    private static InputSpec Input(Workload workload, IReadOnlyList<double> spacingXyz)
    {
        var spatialDims = workload.Architecture.Interface.SpatialDims;
        if (spacingXyz.Count != spatialDims || spacingXyz.Any(value => !(value > 0) || !double.IsFinite(value)))
        {
            throw new ArgumentException(
                $"{workload.Name} needs {spatialDims} positive spacings (x, y{(spatialDims == 3 ? ", z" : "")} in mm), the spacing the model was trained at; got {string.Join(", ", spacingXyz)}");
        }
        return new InputSpec(workload.Channels, spacingXyz);
    }

    private static void ProbeTorchScript(Workload workload, string scriptPath, int inChannels, int outChannels, int spatialDims)
    {
        using var scope = NewDisposeScope();
        using var network = TorchScriptNetwork.Load(scriptPath);
        network.eval();
        long[] shape = [1, inChannels, .. Enumerable.Repeat((long)ProbeEdge, spatialDims)];
        long[] expected = workload.Output.Kind == OutputKind.Classification ? [1, outChannels] : [1, outChannels, .. shape[2..]];
        Tensor output;
        try
        {
            using var noGrad = no_grad();
            output = network.forward(zeros(shape));
        }
        catch (Exception exception) when (exception is ExternalException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException(
                $"the TorchScript model fails on a {string.Join('×', shape)} input, the shape {workload.Name} feeds it: {exception.Message.Split('\n')[0]}", exception);
        }
        if (!output.shape.SequenceEqual(expected))
        {
            throw new InvalidDataException(
                $"the TorchScript model gives {string.Join('×', output.shape)} for a {string.Join('×', shape)} input; {workload.Name} needs " +
                $"{string.Join('×', expected)} ({string.Join(", ", workload.Output.Labels)})");
        }
    }
}
