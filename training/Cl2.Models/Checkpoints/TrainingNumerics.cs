using System.Text.Json.Serialization;
using Cl2.Models.Numerics;
using Cl2.Models.Training;

namespace Cl2.Models.Checkpoints;

/// <summary>
/// On what numerics a model was trained: device, CPU, libtorch and whether oneDNN computed its CPU convolutions.
/// Only what the run depended on, not the self-check's timing or wording, so the same run on the same machine keeps
/// the same content address.
/// </summary>
/// <param name="Device">"cpu" or "cuda".</param>
/// <param name="OneDnnMode">The oneDNN setting (auto, on, off) that led to <paramref name="OneDnn"/>.</param>
/// <param name="Precision">float32, bf16 or bf16-autocast; absent in manifests written before it was recorded (float32).</param>
public sealed record TrainingNumerics(string Device, string Cpu, string Isa, string Libtorch, int Threads, bool OneDnn, string OneDnnMode,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Precision = null)
{
    public static TrainingNumerics Of(ComputeDevice device, TrainingPrecision precision = TrainingPrecision.Float32) =>
        Of(device.IsCuda ? "cuda" : "cpu", device.Numerics) with { Precision = precision.Name() };

    public static TrainingNumerics Of(string device, NumericsDecision numerics) =>
        new(device, numerics.Cpu, numerics.Isa, numerics.Libtorch, numerics.Threads, numerics.OneDnnEnabled, numerics.Mode);
}
