namespace Cl2.Training.Cli;

/// <summary><c>./cl2 train</c>: trains on a synthetic cohort read back from its DICOM (filled in below).</summary>
public sealed class TrainCommand : ITrainingCommand
{
    public string Name => "train";

    public string Usage => "train --task brain-mri|liver-ct|hip-xray [--synthetic N] [--epochs E] [--seed S] [--out DIR]";

    public int Run(CommandArguments arguments, TextWriter output, TextWriter error) => throw new UsageException("not yet");
}
