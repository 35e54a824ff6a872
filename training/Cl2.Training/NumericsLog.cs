namespace Cl2.Training;

internal static partial class NumericsLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Compute device {Device}; numerics: {Numerics}; self-check took {Milliseconds:F0} ms")]
    public static partial void Decided(ILogger logger, string device, string numerics, double milliseconds);
}
