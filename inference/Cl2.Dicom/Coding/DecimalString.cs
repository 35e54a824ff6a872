using System.Globalization;

namespace Cl2.Dicom.Coding;

/// <summary>Formats numbers as Decimal String (DS) values, which hold at most 16 characters (PS3.5 Table 6.2-1).</summary>
internal static class DecimalString
{
    public const int MaxLength = 16;

    public static string Format(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "a Decimal String holds finite numbers only");
        }
        // Fewer decimals until it fits: 16 characters keep at least 6 significant digits of any value DS can hold.
        for (var decimals = 10; decimals >= 0; decimals--)
        {
            var text = Math.Round(value, decimals, MidpointRounding.AwayFromZero).ToString("0." + new string('#', Math.Max(decimals, 1)), CultureInfo.InvariantCulture);
            if (text.Length <= MaxLength)
            {
                return text == "-0" ? "0" : text;
            }
        }
        var scientific = value.ToString("0.#########E+0", CultureInfo.InvariantCulture);
        return scientific.Length <= MaxLength ? scientific : value.ToString("0.###E+0", CultureInfo.InvariantCulture);
    }
}
