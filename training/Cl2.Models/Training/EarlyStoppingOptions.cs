namespace Cl2.Models.Training;

/// <summary>Stop when the validation metric <paramref name="Metric"/> has not improved by more than
/// <paramref name="MinDelta"/> for <paramref name="Patience"/> consecutive epochs.</summary>
public sealed record EarlyStoppingOptions(string Metric, int Patience, bool HigherIsBetter = true, double MinDelta = 0)
{
    internal bool Improves(double value, double? best) => double.IsFinite(value) && (best is not { } b
        || (HigherIsBetter ? value > b + MinDelta : value < b - MinDelta));
}
