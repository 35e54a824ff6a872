using System.Globalization;

namespace Cl2.Dicom.Tools;

/// <summary>
/// DCMTK-style arguments: options start with '-' or '+' (`-aet NAME`, `-k key=value` repeated, `+sd`); the rest are
/// positional. Each command names the options that take a value and the switches; anything else is a usage error.
/// </summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _switches = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = [];

    public static CommandLine Parse(IReadOnlyList<string> arguments, IEnumerable<string> withValue, IEnumerable<string> switches)
    {
        var valued = withValue.ToHashSet(StringComparer.Ordinal);
        var flags = switches.ToHashSet(StringComparer.Ordinal);
        var line = new CommandLine();
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (argument.Length < 2 || (argument[0] != '-' && argument[0] != '+'))
            {
                line.Positional.Add(argument);
            }
            else if (valued.Contains(argument))
            {
                if (i + 1 >= arguments.Count)
                {
                    throw new UsageException($"{argument} needs a value");
                }
                if (!line._values.TryGetValue(argument, out var list))
                {
                    line._values[argument] = list = [];
                }
                list.Add(arguments[++i]);
            }
            else if (flags.Contains(argument))
            {
                line._switches.Add(argument);
            }
            else
            {
                throw new UsageException($"unknown option {argument}");
            }
        }
        return line;
    }

    public bool Has(string name) => _switches.Contains(name);

    public IReadOnlyList<string> All(string name) => _values.TryGetValue(name, out var list) ? list : [];

    /// <summary>The last value given for any of <paramref name="names"/> (aliases), or null.</summary>
    public string? Value(params string[] names) => names.Select(n => _values.GetValueOrDefault(n)?[^1]).LastOrDefault(v => v is not null);

    public int Int(string name, int fallback, int min, int max)
    {
        var text = Value(name);
        if (text is null)
        {
            return fallback;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new UsageException($"{name} takes a whole number from {min} to {max}, not '{text}'");
    }

    public static int Port(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535
            ? port
            : throw new UsageException($"'{text}' is not a TCP port (0-65535)");
}
