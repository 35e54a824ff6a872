using Cl2.Models.Synthetic;
using Cl2.Models.Workloads;

namespace Cl2.Training.Cli;

/// <summary><c>./cl2 synth</c>: writes a synthetic cohort as DICOM series plus ground truth (docs/training.md).</summary>
public sealed class SynthCommand : ITrainingCommand
{
    public string Name => "synth";

    public string Usage => "synth --task brain-mri|liver-ct|hip-xray --out DIR [--cases N (20)] [--seed S (1)] [--size VOXELS (48; hip 128)]";

    public int Run(CommandArguments arguments, TextWriter output, TextWriter error)
    {
        arguments.RequireOnly("--task", "--out", "--cases", "--seed", "--size");
        var task = arguments.Task();
        var directory = arguments.String("--out") ?? throw new UsageException("--out DIR is needed");
        var cases = arguments.Integer("--cases", 20);
        var seed = arguments.Integer("--seed", 1, minimum: 0);
        var size = arguments.Integer("--size", task.DefaultSize(), minimum: task == WorkloadTask.HipXray ? 32 : 16);
        if (File.Exists(Path.Combine(directory, CohortManifest.FileName)))
        {
            error.WriteLine($"synth: {directory} already holds a cohort; choose another --out or delete it first");
            return TrainingTool.Failure;
        }
        using var bar = new ProgressBar(error, $"synth {task.Name()}", cases);
        var manifest = SyntheticCohort.Write(task, directory, cases, seed, size, new SynchronousProgress<int>(done => bar.Update(done, "cases")));
        bar.Complete(cases, "cases");
        output.WriteLine($"wrote {manifest.Cases.Count} {task.Name()} cases (seed {seed}, size {size}) to {Path.GetFullPath(directory)}; index: {CohortManifest.FileName}");
        return TrainingTool.Success;
    }
}
