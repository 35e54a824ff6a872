namespace Cl2.Models.Numerics;

/// <summary>Whether libtorch may use oneDNN on the CPU: the setting <c>oneDNN = auto | on | off</c> (docs/training.md).</summary>
public enum OneDnnMode
{
    /// <summary>On when the numerical self-check passes with it, off when only the check without it passes.</summary>
    Auto,

    /// <summary>On; a failing self-check refuses to train or infer rather than switching it off.</summary>
    On,

    /// <summary>Off: ATen's own CPU kernels (slower convolutions on most CPUs).</summary>
    Off,
}

public static class OneDnnModes
{
    /// <summary>The environment variable every process reads when its configuration does not set the mode.</summary>
    public const string EnvironmentVariable = "CL2_ONEDNN";

    public static OneDnnMode Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => OneDnnMode.Auto,
        "on" or "true" or "1" => OneDnnMode.On,
        "off" or "false" or "0" => OneDnnMode.Off,
        _ => throw new ArgumentException($"Unknown oneDNN setting '{value}': use auto, on or off.", nameof(value)),
    };

    /// <summary>The mode <see cref="EnvironmentVariable"/> names, or auto.</summary>
    public static OneDnnMode FromEnvironment() => Parse(Environment.GetEnvironmentVariable(EnvironmentVariable));

    public static string Name(this OneDnnMode mode) => mode.ToString().ToLowerInvariant();
}
