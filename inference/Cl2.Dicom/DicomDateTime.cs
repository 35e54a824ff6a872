using System.Globalization;

namespace Cl2.Dicom;

/// <summary>Parsing and formatting of TM and DT values (PS3.5 Table 6.2-1).</summary>
public static class DicomDateTime
{
    public static TimeOnly ParseTime(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim().Replace(":", "", StringComparison.Ordinal);
        var fraction = 0L;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            var digits = text[(dot + 1)..].PadRight(7, '0')[..7];
            fraction = long.Parse(digits, CultureInfo.InvariantCulture);
            text = text[..dot];
        }
        if (text.Length is not (2 or 4 or 6) || !text.All(char.IsAsciiDigit))
        {
            throw new FormatException($"'{value}' is not a DICOM TM value");
        }
        var hour = int.Parse(text[..2], CultureInfo.InvariantCulture);
        var minute = text.Length >= 4 ? int.Parse(text[2..4], CultureInfo.InvariantCulture) : 0;
        var second = text.Length >= 6 ? Math.Min(59, int.Parse(text[4..6], CultureInfo.InvariantCulture)) : 0;
        return new TimeOnly(hour, minute, second).Add(TimeSpan.FromTicks(fraction));
    }

    public static string FormatTime(TimeOnly time) =>
        time.Ticks % TimeSpan.TicksPerSecond == 0
            ? time.ToString("HHmmss", CultureInfo.InvariantCulture)
            : time.ToString("HHmmss.ffffff", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseDateTime(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        var offset = TimeSpan.Zero;
        var sign = text.IndexOfAny(['+', '-'], 4);
        if (sign > 0)
        {
            var zone = text[(sign + 1)..];
            if (zone.Length != 4 || !zone.All(char.IsAsciiDigit))
            {
                throw new FormatException($"'{value}' has a malformed UTC offset");
            }
            offset = new TimeSpan(int.Parse(zone[..2], CultureInfo.InvariantCulture), int.Parse(zone[2..], CultureInfo.InvariantCulture), 0);
            offset = text[sign] == '-' ? -offset : offset;
            text = text[..sign];
        }
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var main = dot >= 0 ? text[..dot] : text;
        if (main.Length < 4 || main.Length > 14 || main.Length % 2 == 1 || !main.All(char.IsAsciiDigit))
        {
            throw new FormatException($"'{value}' is not a DICOM DT value");
        }
        int Part(int start, int fallback) => main.Length >= start + 2 ? int.Parse(main.AsSpan(start, 2), CultureInfo.InvariantCulture) : fallback;
        var year = int.Parse(main[..4], CultureInfo.InvariantCulture);
        var result = new DateTimeOffset(year, Part(4, 1), Part(6, 1), Part(8, 0), Part(10, 0), Math.Min(59, Part(12, 0)), offset);
        if (dot >= 0)
        {
            result = result.AddTicks(long.Parse(text[(dot + 1)..].PadRight(7, '0')[..7], CultureInfo.InvariantCulture));
        }
        return result;
    }

    public static string FormatDateTime(DateTimeOffset value)
    {
        var zone = value.Offset < TimeSpan.Zero ? "-" : "+";
        var fraction = value.Ticks % TimeSpan.TicksPerSecond == 0 ? "" : value.ToString(".ffffff", CultureInfo.InvariantCulture);
        return value.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + fraction + zone + value.Offset.Duration().ToString("hhmm", CultureInfo.InvariantCulture);
    }
}
