namespace Cl2.Models.Numerics;

/// <summary>The CPU a process runs on, as numerics depend on it: its model name and the widest vector ISA it has.</summary>
/// <param name="Isa">avx512, avx2 or default: the levels libtorch's CPU kernels are built for.</param>
public sealed record CpuDescription(string Model, string Isa)
{
    public override string ToString() => $"{Model} ({Isa})";

    public static CpuDescription Read()
    {
        string? model = null;
        var flags = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                var colon = line.IndexOf(':');
                if (colon < 0)
                {
                    continue;
                }
                var key = line[..colon].Trim();
                if (model is null && key == "model name")
                {
                    model = line[(colon + 1)..].Trim();
                }
                else if (flags.Count == 0 && key == "flags")
                {
                    flags.UnionWith(line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries));
                }
                if (model is not null && flags.Count > 0)
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
            // Not Linux, or /proc is hidden: the model and ISA stay unknown; nothing depends on them but the report.
        }
        var isa = flags.Contains("avx512f") && flags.Contains("avx512bw") && flags.Contains("avx512vl") ? "avx512"
            : flags.Contains("avx2") ? "avx2"
            : "default";
        return new CpuDescription(model ?? System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString(), isa);
    }
}
