namespace Cl2.Training.Cli;

/// <summary>One command of the local training tool (<c>./cl2 synth</c>, <c>./cl2 train</c>, <c>./cl2 infer</c>).</summary>
public interface ITrainingCommand
{
    string Name { get; }

    string Usage { get; }

    /// <summary>The page that explains the command, named by its --help.</summary>
    string Documentation => "docs/training.md";

    /// <summary>Returns the exit code; throws <see cref="UsageException"/> for bad arguments.</summary>
    int Run(CommandArguments arguments, TextWriter output, TextWriter error);
}

public sealed class UsageException(string message) : Exception(message)
{
    public UsageException()
        : this("bad arguments")
    {
    }

    public UsageException(string message, Exception innerException)
        : this(message + ": " + innerException?.Message)
    {
    }
}

/// <summary>Exit codes: 0 success, 1 failure (a message on stderr), 2 usage.</summary>
public static class TrainingTool
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int BadUsage = 2;

    public static IReadOnlyList<ITrainingCommand> Commands { get; } = [new SynthCommand(), new TrainCommand(), new InferCommand(), new ModelImportCommand()];

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        // A command's name may be two words ("model import").
        var command = Commands.FirstOrDefault(c => c.Name.Split(' ') is var words && args.Take(words.Length).SequenceEqual(words));
        if (command is null)
        {
            var asked = args.Count == 1 && CommandArguments.IsHelp(args);
            var list = asked ? output : error;
            list.WriteLine("usage:");
            foreach (var known in Commands)
            {
                list.WriteLine($"  ./cl2 {known.Usage}");
            }
            return asked ? Success : BadUsage;
        }
        var rest = args.Skip(command.Name.Split(' ').Length).ToArray();
        if (CommandArguments.IsHelp(rest))
        {
            output.WriteLine($"usage: ./cl2 {command.Usage}   ({command.Documentation})");
            return Success;
        }
        try
        {
            return command.Run(CommandArguments.Parse(rest), output, error);
        }
        catch (UsageException e)
        {
            error.WriteLine($"{e.Message}\nusage: ./cl2 {command.Usage}");
            return BadUsage;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or InvalidOperationException
            or Cl2.Dicom.DicomFormatException or Cl2.Dicom.Imaging.VolumeAssemblyException
            or Cl2.Models.Numerics.NumericsCheckFailedException or Cl2.Models.Training.NonFiniteTrainingException
            or Cl2.Models.Checkpoints.NonFiniteWeightsException or Cl2.Models.Inference.WorkloadException
            or Cl2.Dicom.Segmentation.SegmentationException or Cl2.Models.Import.StateDictMismatchException)
        {
            error.WriteLine($"{command.Name}: {e.Message}");
            return Failure;
        }
    }
}
