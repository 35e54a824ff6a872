using System.Globalization;
using TorchSharp;

namespace Cl2.Models.Networks;

/// <summary>What a network is in numbers: its parameters and its checkpoint's entries (parameters plus buffers).</summary>
public sealed record NetworkDescription(string Name, long Parameters, long TrainableParameters, int StateDictEntries)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name}: {Parameters:N0} parameters ({TrainableParameters:N0} trainable), {StateDictEntries} state-dict entries");
}

public static class NetworkDescriptionExtensions
{
    public static NetworkDescription Describe(this torch.nn.Module module)
    {
        var parameters = module.parameters().ToList();
        return new NetworkDescription(
            module.GetName(),
            parameters.Sum(p => p.numel()),
            parameters.Where(p => p.requires_grad).Sum(p => p.numel()),
            module.state_dict().Count);
    }
}
