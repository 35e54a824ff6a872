using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cl2.Models.Training;

/// <summary>
/// A resumable training checkpoint: a folder with the weights, the optimizer's moments and step counts, libtorch's
/// generator state and <see cref="TrainingState"/>. It is written into a sibling folder and renamed into place, so a
/// worker killed mid-write leaves the previous checkpoint readable.
/// </summary>
public static class TrainingCheckpoint
{
    public const string WeightsFileName = "weights.bin";
    public const string OptimizerFileName = "optimizer.bin";
    public const string GeneratorFileName = "generator.bin";
    public const string StateFileName = "state.json";

    private const string PartialSuffix = ".partial";
    private const string PreviousSuffix = ".previous";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>True when <paramref name="directory"/> (or the checkpoint it was replacing when a write was cut short) can be resumed from.</summary>
    public static bool Exists(string directory) => Readable(directory) is not null;

    public static void Write(string directory, nn.Module network, OptimizerHelper optimizer, TrainingState state)
    {
        var partial = directory + PartialSuffix;
        if (Directory.Exists(partial))
        {
            Directory.Delete(partial, recursive: true);
        }
        Directory.CreateDirectory(partial);
        network.save(Path.Combine(partial, WeightsFileName));
        optimizer.save_state_dict(Path.Combine(partial, OptimizerFileName));
        using (var generator = random.get_rng_state())
        {
            File.WriteAllBytes(Path.Combine(partial, GeneratorFileName), generator.data<byte>().ToArray());
        }
        File.WriteAllText(Path.Combine(partial, StateFileName), JsonSerializer.Serialize(state, Json));

        var previous = directory + PreviousSuffix;
        if (Directory.Exists(directory))
        {
            if (Directory.Exists(previous))
            {
                Directory.Delete(previous, recursive: true);
            }
            Directory.Move(directory, previous);
        }
        Directory.Move(partial, directory);
        if (Directory.Exists(previous))
        {
            Directory.Delete(previous, recursive: true);
        }
    }

    /// <summary>Loads weights, optimizer state and generator state in place and returns where the run was.</summary>
    public static TrainingState Read(string directory, nn.Module network, OptimizerHelper optimizer)
    {
        var source = Readable(directory) ?? throw new FileNotFoundException($"No training checkpoint in '{directory}'.");
        var state = JsonSerializer.Deserialize<TrainingState>(File.ReadAllText(Path.Combine(source, StateFileName)), Json)
            ?? throw new InvalidDataException($"'{source}' has an empty training state.");
        network.load(Path.Combine(source, WeightsFileName));
        optimizer.load_state_dict(Path.Combine(source, OptimizerFileName));
        using var generator = tensor(File.ReadAllBytes(Path.Combine(source, GeneratorFileName)));
        random.set_rng_state(generator);
        return state;
    }

    private static string? Readable(string directory) =>
        File.Exists(Path.Combine(directory, StateFileName)) ? directory
        : File.Exists(Path.Combine(directory + PreviousSuffix, StateFileName)) ? directory + PreviousSuffix
        : null;
}
