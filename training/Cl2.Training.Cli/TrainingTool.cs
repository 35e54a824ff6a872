namespace Cl2.Training.Cli;

/// <summary>One command of the local training tool (<c>./cl2 synth</c>, <c>./cl2 train</c>).</summary>
public interface ITrainingCommand
{
    string Name { get; }

    string Usage { get; }

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

    public static IReadOnlyList<ITrainingCommand> Commands { get; } = [new SynthCommand(), new TrainCommand()];

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var command = args.Count > 0 ? Commands.FirstOrDefault(c => c.Name == args[0]) : null;
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
        if (CommandArguments.IsHelp(args.Skip(1).ToArray()))
        {
            output.WriteLine($"usage: ./cl2 {command.Usage}   (docs/training.md)");
            return Success;
        }
        try
        {
            return command.Run(CommandArguments.Parse(args.Skip(1).ToArray()), output, error);
        }
        catch (UsageException e)
        {
            error.WriteLine($"{e.Message}\nusage: ./cl2 {command.Usage}");
            return BadUsage;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or InvalidOperationException
            or Cl2.Dicom.DicomFormatException or Cl2.Dicom.Imaging.VolumeAssemblyException
            or Cl2.Models.Numerics.NumericsCheckFailedException or Cl2.Models.Training.NonFiniteTrainingException
            or Cl2.Models.Checkpoints.NonFiniteWeightsException)
        {
            error.WriteLine($"{command.Name}: {e.Message}");
            return Failure;
        }
    }
}
