using Cl2.Dicom.Network;

namespace Cl2.Dicom.Tools;

/// <summary>One command of `./cl2 dicom`: its name, usage line, and what it does with the arguments after the name.</summary>
public interface IDicomCommand
{
    string Name { get; }

    string Usage { get; }

    /// <summary>Returns the exit code; throws <see cref="UsageException"/> for bad arguments.</summary>
    int Run(IReadOnlyList<string> arguments, TextWriter output);

    /// <summary>Commands that talk to peers show progress on <paramref name="error"/> and stop on
    /// <paramref name="cancellationToken"/> (Ctrl-C, SIGTERM).</summary>
    int Run(IReadOnlyList<string> arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        Run(arguments, output);
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

/// <summary>
/// The command-line tool for people who run PACS links. Exit codes: 0 success, 1 bad input (a message on stderr),
/// 2 usage, 3 the peer or the network failed (unreachable, rejected, aborted, or a non-success DIMSE status). A new command is one more <see cref="IDicomCommand"/> file and one line in <see cref="Commands"/>.
/// </summary>
public static class DicomTool
{
    public const int Success = 0;
    public const int BadInput = 1;
    public const int BadUsage = 2;
    public const int PeerFailure = 3;

    public static IReadOnlyList<IDicomCommand> Commands { get; } =
    [
        new DumpCommand(),
        new JsonCommand(),
        new PixelsCommand(),
        new ConvertCommand(),
        new DeidentifyCommand(),
        new EchoCommand(),
        new StoreCommand(),
        new FindCommand(),
        new MoveCommand(),
        new GetCommand(),
        new ScpCommand(),
    ];

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error) => Run(args, output, error, CancellationToken.None);

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var command = args.Count > 0 ? Commands.FirstOrDefault(c => c.Name == args[0]) : null;
        if (command is null)
        {
            // Asked for (--help): the list on stdout and success; otherwise a usage error.
            var asked = args.Count == 1 && IsHelp(args[0]);
            var list = asked ? output : error;
            list.WriteLine("usage: cl2 dicom <command> ...   ('cl2 dicom <command> --help' for one; docs/operations.md)");
            foreach (var known in Commands)
            {
                list.WriteLine($"  {known.Usage}");
            }
            return asked ? Success : BadUsage;
        }
        if (args.Skip(1).Any(IsHelp))
        {
            output.WriteLine($"usage: cl2 dicom {command.Usage}");
            return Success;
        }
        try
        {
            return command.Run(args.Skip(1).ToArray(), output, error, cancellationToken);
        }
        catch (DicomNetworkException e)
        {
            error.WriteLine($"{command.Name}: {e.Message}{NetworkAdvice.For(e)}");
            return PeerFailure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            error.WriteLine($"{command.Name}: interrupted");
            return PeerFailure;
        }
        catch (UsageException e)
        {
            error.WriteLine($"{e.Message}\nusage: {command.Usage}");
            return BadUsage;
        }
        catch (DicomFormatException e)
        {
            error.WriteLine($"{command.Name}: not a valid DICOM file: {e.Message}");
            return BadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or FormatException)
        {
            error.WriteLine($"{command.Name}: {e.Message}");
            return BadInput;
        }
    }

    /// <summary>--help or -h anywhere after a command's name asks for its usage (as DCMTK's tools do), whatever else is given.</summary>
    private static bool IsHelp(string argument) => argument is "--help" or "-h";

    /// <summary>Splits "FILE --name value" arguments; every option takes one value.</summary>
    internal static (List<string> Positional, Dictionary<string, string> Options) Parse(IReadOnlyList<string> arguments, params string[] known)
    {
        var positional = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i].StartsWith("--", StringComparison.Ordinal))
            {
                if (!known.Contains(arguments[i]))
                {
                    throw new UsageException($"unknown option {arguments[i]}");
                }
                if (i + 1 >= arguments.Count)
                {
                    throw new UsageException($"{arguments[i]} needs a value");
                }
                options[arguments[i]] = arguments[++i];
            }
            else
            {
                positional.Add(arguments[i]);
            }
        }
        return (positional, options);
    }

    internal static string SingleFile(List<string> positional) =>
        positional.Count == 1 ? positional[0] : throw new UsageException(positional.Count == 0 ? "a FILE is needed" : "one FILE only");
}
