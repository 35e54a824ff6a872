using System.Text.Json;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Cl2.Training.Tests;

/// <summary>
/// Reference numbers written by Fixtures/make_network_fixtures.py with Debian's python3-torch and torchvision: the
/// parameter count and state-dict keys of each configuration, and for small ones PyTorch weights, an input and the
/// output PyTorch computed from them.
/// </summary>
internal static class NetworkFixtures
{
    private static readonly Lazy<JsonElement> Networks = new(() =>
        JsonDocument.Parse(File.ReadAllText(PathOf("networks.json"))).RootElement.GetProperty("networks"));

    public static long ParameterCount(string name) => Networks.Value.GetProperty(name).GetProperty("parameters").GetInt64();

    /// <summary>"key [d0,d1,…]" per state-dict entry, in PyTorch's order.</summary>
    public static IReadOnlyList<string> KeysWithShapes(string name) =>
        [.. Networks.Value.GetProperty(name).GetProperty("keys").EnumerateArray()
            .Select(e => Describe(e[0].GetString()!, e[1].EnumerateArray().Select(d => d.GetInt64())))];

    public static IReadOnlyList<string> KeysWithShapes(nn.Module module) =>
        [.. module.state_dict().Select(kv => Describe(kv.Key, kv.Value.shape))];

    /// <summary>Loads the PyTorch weights of a small configuration into <paramref name="module"/> (strict: every key must match).</summary>
    public static void LoadPyTorchWeights(nn.Module module, string name) => module.load_py(PathOf($"{name}.pt"), strict: true);

    /// <summary>The tensors PyTorch saved beside the weights: "input", "output", and for the VAE its two loss terms.</summary>
    public static Dictionary<string, Tensor> InputsAndOutputs(string name)
    {
        using var stream = File.OpenRead(PathOf($"{name}.io.pt"));
        var table = PyTorchUnpickler.UnpickleStateDict(stream);
        return table.Keys.Cast<string>().ToDictionary(k => k, k => (Tensor)table[k]!);
    }

    private static string Describe(string key, IEnumerable<long> shape) => $"{key} [{string.Join(',', shape)}]";

    public static string PathOf(string file) => Path.Combine(AppContext.BaseDirectory, "Fixtures", file);
}
