using System.Globalization;
using Cl2.Labeling.Client;
using Cl2.Models.Import;
using Cl2.Models.Workloads;

namespace Cl2.Training.Cli;

/// <summary>
/// <c>./cl2 model import</c>: brings a model trained elsewhere (a PyTorch state dict or a TorchScript archive) in as a
/// model of one workload through <see cref="WorkloadImport"/>, which refuses weights that do not fit the workload's
/// network, and writes the model folder (weights.bin + manifest.json, lineage "imported" with the file's digest) that
/// <c>./cl2 infer</c> runs. With <c>--register M</c> the folder is also uploaded to labeling's blob store and registered as a
/// candidate version of model M (<see cref="ModelRegistration"/>), ready to be evaluated and promoted like a trained one.
/// </summary>
public sealed class ModelImportCommand : ITrainingCommand
{
    public string Name => "model import";

    public string Documentation => "docs/inference.md";

    public string Usage => "model import --task brain-mri|liver-ct|hip-xray (--torchscript FILE | --state-dict FILE) --spacing MM,MM[,MM] " +
        "[--name M (the file's name)] [--out DIR (.cl2/models/M)] [--code-version V (imported)] " +
        "[--register MODEL [--description TEXT] [--labeling URL ($CL2_LABELING_URL)] [--as USER (development identity; else $CL2_ACCESS_TOKEN)]]";

    public int Run(CommandArguments arguments, TextWriter output, TextWriter error)
    {
        arguments.RequireOnly("--task", "--torchscript", "--state-dict", "--spacing", "--name", "--out", "--code-version", "--register", "--description",
            "--labeling", "--as");
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
        var register = arguments.String("--register");
        var connection = register is null ? null : Connection(arguments);

        error.WriteLine($"model import {workload.Name}: checking {Path.GetFullPath(file)} against {workload.Architecture.Name} " +
            $"({string.Join(", ", workload.Channels.Select(channel => channel.Modality))} → {string.Join(", ", workload.Output.Labels)})");
        var manifest = (torchScript
                ? WorkloadImport.FromTorchScriptAsync(workload, file, spacing, codeVersion, directory, CancellationToken.None)
                : WorkloadImport.FromStateDictAsync(workload, file, spacing, codeVersion, directory, CancellationToken.None))
            .GetAwaiter().GetResult();
        output.WriteLine($"imported {name} as a {workload.Name} model: {directory} (weights {manifest.WeightsDigest}, from {manifest.Lineage.ImportedFrom}); content address {manifest.ContentAddress()}");
        if (register is null || connection is null)
        {
            return TrainingTool.Success;
        }
        var description = arguments.String("--description") ?? $"{Path.GetFileName(file)} ({(torchScript ? "TorchScript" : "PyTorch state dict")}), imported by ./cl2 model import";
        error.WriteLine($"model import: registering {name} as a candidate version of model {register} at {connection.Labeling}");
        RegisteredImport registered;
        try
        {
            // Off the caller's synchronisation context: the command is synchronous, the API calls are not.
            registered = Task.Run(() => ModelRegistration.RegisterAsync(directory, manifest, workload, register, description, connection, CancellationToken.None))
                .GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is HttpRequestException or LabelingApiException or TaskCanceledException)
        {
            throw new InvalidOperationException($"labeling at {connection.Labeling} did not register the import ({e.Message}); the model folder {directory} is kept. " +
                "Check that cl2 is up (./cl2 status) and that the caller is an ml-engineer (CL2_ACCESS_TOKEN=$(./cl2 token --role ml-engineer)).", e);
        }
        output.WriteLine($"registered version {registered.Version.Number} ({registered.Version.Id}) of model {register} ({registered.ModelId}" +
            $"{(registered.ModelCreated ? $", new for {workload.Name}" : "")}) as a {registered.Version.Stage.ToLowerInvariant()}, lineage imported from {manifest.Lineage.ImportedFrom}");
        output.WriteLine($"promote it: mutation {{ promoteModelVersion(input: {{ modelId: \"{registered.ModelId}\", versionId: \"{registered.Version.Id}\", " +
            "expectedVersion: <model { version }> }) { id stage } }  (docs/inference.md)");
        return TrainingTool.Success;
    }

    private static LabelingConnection Connection(CommandArguments arguments)
    {
        var address = arguments.String("--labeling") ?? Environment.GetEnvironmentVariable("CL2_LABELING_URL")
            ?? throw new UsageException("--register needs labeling's address: --labeling URL or CL2_LABELING_URL (./cl2 model import sets it to the gateway)");
        if (!Uri.TryCreate(address.EndsWith('/') ? address : address + "/", UriKind.Absolute, out var labeling) || labeling.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"--labeling takes an http(s) URL, not '{address}'");
        }
        var user = arguments.String("--as");
        var token = Environment.GetEnvironmentVariable("CL2_ACCESS_TOKEN");
        if (user is null && string.IsNullOrWhiteSpace(token))
        {
            throw new UsageException("--register needs an identity: CL2_ACCESS_TOKEN=$(./cl2 token --role ml-engineer), or --as USER where labeling reads development identity");
        }
        return new LabelingConnection(labeling, token, user);
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
