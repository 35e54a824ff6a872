using System.Globalization;
using Cl2.Models.Import;
using Cl2.Models.Workloads;

namespace Cl2.Training.Cli;

/// <summary>
/// <c>./cl2 model import</c>: brings a model trained elsewhere (a PyTorch state dict or a TorchScript archive) in as a
/// model of one workload through <see cref="WorkloadImport"/>, which refuses weights that do not fit the workload's
/// network, and writes the model folder (weights.bin + manifest.json, lineage "imported" with the file's digest) that
/// <c>./cl2 infer</c> runs.
/// </summary>
public sealed class ModelImportCommand : ITrainingCommand
{
    public string Name => "model import";

    public string Documentation => "docs/inference.md";

    public string Usage => "model import --task brain-mri|liver-ct|hip-xray (--torchscript FILE | --state-dict FILE) --spacing MM,MM[,MM] " +
        "[--name M (the file's name)] [--out DIR (.cl2/models/M)] [--code-version V (imported)]";

    public int Run(CommandArguments arguments, TextWriter output, TextWriter error)
    {
        arguments.RequireOnly("--task", "--torchscript", "--state-dict", "--spacing", "--name", "--out", "--code-version");
        var workload = WorkloadRegistry.For(arguments.Task());
        var (file, torchScript) = (arguments.String("--torchscript"), arguments.String("--state-dict")) switch
        {
            ({ } script, null) => (script, true),
            (null, { } stateDict) => (stateDict, false),
            _ => throw new UsageException("give one of --torchscript FILE (torch.jit.save) or --state-dict FILE (torch.save(model.state_dict()))"),
        };
        var spacing = Spacing(arguments.String("--spacing"), workload);
        var name = arguments.String("--name") ?? Path.GetFileNameWithoutExtension(file);
        var directory = Path.GetFullPath(arguments.String("--out") ?? Path.Combine(".cl2", "models", name));
        var codeVersion = arguments.String("--code-version") ?? "imported";

        error.WriteLine($"model import {workload.Name}: checking {Path.GetFullPath(file)} against {workload.Architecture.Name} " +
            $"({string.Join(", ", workload.Channels.Select(channel => channel.Modality))} → {string.Join(", ", workload.Output.Labels)})");
        var manifest = (torchScript
                ? WorkloadImport.FromTorchScriptAsync(workload, file, spacing, codeVersion, directory, CancellationToken.None)
                : WorkloadImport.FromStateDictAsync(workload, file, spacing, codeVersion, directory, CancellationToken.None))
            .GetAwaiter().GetResult();
        output.WriteLine($"imported {name} as a {workload.Name} model: {directory} (weights {manifest.WeightsDigest}, from {manifest.Lineage.ImportedFrom}); content address {manifest.ContentAddress()}");
        return TrainingTool.Success;
    }

    private static double[] Spacing(string? text, Workload workload)
    {
        var dims = workload.Architecture.Interface.SpatialDims;
        var axes = dims == 3 ? "x,y,z" : "x,y";
        if (text is null)
        {
            throw new UsageException($"--spacing {axes} is needed: the pixel spacing in mm the model was trained at (a weights file does not say it)");
        }
        var parts = text.Split(',');
        var values = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !(values[i] > 0) || !double.IsFinite(values[i]))
            {
                throw new UsageException($"--spacing takes {dims} positive numbers {axes} in mm, not '{text}'");
            }
        }
        return values.Length == dims ? values : throw new UsageException($"--spacing takes {dims} numbers ({axes}) for {workload.Name}, not '{text}'");
    }
}
