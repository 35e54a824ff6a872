using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Cl2.Models.Import;

/// <summary>
/// PyTorch's own weights format: the zip that <c>torch.save(model.state_dict(), path)</c> writes. Our networks name
/// their entries as MONAI and torchvision do, so such a file loads by key name with no mapping.
/// </summary>
public static class PyTorchStateDict
{
    /// <summary>Reads the file's tensors by key (on the CPU).</summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        using var stream = File.OpenRead(path);
        Hashtable table;
        try
        {
            table = PyTorchUnpickler.UnpickleStateDict(stream);
        }
        catch (Exception exception) when (exception is not IOException)
        {
            throw new InvalidDataException(
                $"'{path}' is not a PyTorch state dict ({exception.Message}). Save one with torch.save(model.state_dict(), path); " +
                "a TorchScript file (torch.jit.save) is imported as TorchScript instead.", exception);
        }
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
        {
            if (entry.Key is not string key || entry.Value is not Tensor value)
            {
                throw new InvalidDataException(
                    $"'{path}' holds an entry '{entry.Key}' of type {entry.Value?.GetType().Name ?? "null"}, not a tensor: a training " +
                    "checkpoint (optimizer state, epoch) rather than model.state_dict(). Save the model's state dict alone.");
            }
            tensors[key] = value;
        }
        return tensors;
    }

    /// <summary>
    /// Copies every entry of the state dict at <paramref name="path"/> into <paramref name="module"/>'s parameters and
    /// buffers. Keys and shapes must match exactly; otherwise nothing is copied.
    /// </summary>
    /// <exception cref="StateDictMismatchException">Keys are missing or unexpected, or shapes differ.</exception>
    public static void Load(nn.Module module, string path)
    {
        using var scope = NewDisposeScope();
        var source = Read(path);
        var target = module.state_dict();
        var missing = target.Keys.Where(k => !source.ContainsKey(k)).ToList();
        // The file's entries come back unordered: sorted, the message names the same keys first every time.
        var unexpected = source.Keys.Where(k => !target.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var shapes = target.Where(kv => source.TryGetValue(kv.Key, out var value) && !value.shape.SequenceEqual(kv.Value.shape))
            .Select(kv => new StateDictShapeMismatch(kv.Key, kv.Value.shape, source[kv.Key].shape))
            .ToList();
        if (missing.Count > 0 || unexpected.Count > 0 || shapes.Count > 0)
        {
            throw new StateDictMismatchException(Path.GetFileName(path), missing, unexpected, shapes);
        }
        using var noGrad = no_grad();
        foreach (var (key, destination) in target)
        {
            destination.copy_(source[key]);
        }
    }

    /// <summary>Writes <paramref name="module"/>'s parameters and buffers as a state dict that <c>torch.load</c> reads.</summary>
    public static void Save(nn.Module module, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        module.save_py(path);
    }
}
