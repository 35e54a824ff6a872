using System.Globalization;
using System.Security;
using System.Text;

namespace Cl2.Benchmarks;

/// <summary>A line chart as a standalone SVG file (no plotting library here): axes with ticks, one polyline with
/// markers per series, a legend. Y runs from 0 to 1 (a Dice score).</summary>
public static class LineChartSvg
{
    private const int Width = 640;
    private const int Height = 400;
    private const int Left = 64;
    private const int Right = 170;
    private const int Top = 40;
    private const int Bottom = 56;

    public sealed record Series(string Name, string Color, IReadOnlyList<(double X, double Y)> Points);

    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<Series> series)
    {
        var xs = series.SelectMany(line => line.Points.Select(point => point.X)).ToList();
        var (xMin, xMax) = (xs.Min(), xs.Max());
        double X(double x) => Left + ((x - xMin) / Math.Max(xMax - xMin, 1e-9) * (Width - Left - Right));
        double Y(double y) => Height - Bottom - (Math.Clamp(y, 0, 1) * (Height - Top - Bottom));
        string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" viewBox="0 0 {Width} {Height}" font-family="sans-serif" font-size="12">""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<rect width="{Width}" height="{Height}" fill="white"/>""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{Width / 2}" y="22" text-anchor="middle" font-size="14">{SecurityElement.Escape(title)}</text>""");
        for (var tick = 0; tick <= 10; tick += 2)
        {
            var y = Y(tick / 10.0);
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{Left}" y1="{F(y)}" x2="{Width - Right}" y2="{F(y)}" stroke="#e0e0e0"/>""");
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{Left - 8}" y="{F(y + 4)}" text-anchor="end">{(tick / 10.0).ToString("0.0", CultureInfo.InvariantCulture)}</text>""");
        }
        foreach (var x in xs.Distinct().Order())
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{F(X(x))}" y="{Height - Bottom + 18}" text-anchor="middle">{F(x)}</text>""");
        }
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{Left}" y1="{Height - Bottom}" x2="{Width - Right}" y2="{Height - Bottom}" stroke="black"/>""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{Left}" y1="{Top}" x2="{Left}" y2="{Height - Bottom}" stroke="black"/>""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{(Left + Width - Right) / 2}" y="{Height - 14}" text-anchor="middle">{SecurityElement.Escape(xLabel)}</text>""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<text transform="translate(18 {(Top + Height - Bottom) / 2}) rotate(-90)" text-anchor="middle">{SecurityElement.Escape(yLabel)}</text>""");
        for (var index = 0; index < series.Count; index++)
        {
            var line = series[index];
            var points = string.Join(' ', line.Points.Select(point => $"{F(X(point.X))},{F(Y(point.Y))}"));
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<polyline points="{points}" fill="none" stroke="{line.Color}" stroke-width="2"/>""");
            foreach (var (x, y) in line.Points)
            {
                svg.AppendLine(CultureInfo.InvariantCulture, $"""<circle cx="{F(X(x))}" cy="{F(Y(y))}" r="3" fill="{line.Color}"/>""");
            }
            var legendY = Top + 10 + (index * 20);
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<line x1="{Width - Right + 16}" y1="{legendY}" x2="{Width - Right + 40}" y2="{legendY}" stroke="{line.Color}" stroke-width="2"/>""");
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{Width - Right + 46}" y="{legendY + 4}">{SecurityElement.Escape(line.Name)}</text>""");
        }
        svg.AppendLine("</svg>");
        return svg.ToString();
    }
}
