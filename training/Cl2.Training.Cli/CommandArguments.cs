using System.Globalization;
using Cl2.Models.Workloads;

namespace Cl2.Training.Cli;

/// <summary>"--name value" options; every option takes one value.</summary>
public sealed class CommandArguments(IReadOnlyDictionary<string, string> options)
{
    /// <summary>--help or -h anywhere asks for the usage, whatever else is given (every other option takes a value).</summary>
    public static bool IsHelp(IReadOnlyList<string> arguments) => arguments.Any(argument => argument is "--help" or "-h");

    public static CommandArguments Parse(IReadOnlyList<string> arguments)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < arguments.Count; i++)
        {
            if (!arguments[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"unexpected argument '{arguments[i]}'");
            }
            if (i + 1 >= arguments.Count)
            {
                throw new UsageException($"{arguments[i]} needs a value");
            }
            options[arguments[i]] = arguments[++i];
        }
        return new CommandArguments(options);
    }

    public void RequireOnly(params string[] known)
    {
        foreach (var name in options.Keys.Where(name => !known.Contains(name)))
        {
            throw new UsageException($"unknown option {name}");
        }
    }

    public string? String(string name) => options.GetValueOrDefault(name);

    public WorkloadTask Task() =>
        String("--task") is { } name
            ? (WorkloadTasks.Names.Contains(name) ? WorkloadTasks.Parse(name) : throw new UsageException($"--task must be one of {string.Join(", ", WorkloadTasks.Names)}"))
            : throw new UsageException($"--task is needed ({string.Join(", ", WorkloadTasks.Names)})");

    /// <summary>A comma-separated list of numbers ("1.5,1.5,2"), or null when the option is not given.</summary>
    public double[]? Numbers(string name)
    {
        if (String(name) is not { } text)
        {
            return null;
        }
        var parts = text.Split(',');
        var values = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
            {
                throw new UsageException($"{name} takes numbers separated by commas, such as 1.5,1.5,2; not '{text}'");
            }
        }
        return values;
    }

    public int Integer(string name, int fallback, int minimum = 1) =>
        String(name) is not { } text
            ? fallback
            : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= minimum
                ? value
                : throw new UsageException($"{name} must be a whole number ≥ {minimum}, not '{text}'");
}
