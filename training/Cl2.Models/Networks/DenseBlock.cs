using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Networks;

/// <summary>
/// torchvision's <c>_DenseBlock</c>: layers <c>denselayer1</c>…<c>denselayerN</c>, each fed the concatenation of the
/// block input and every earlier layer's output; the block returns all of them concatenated.
/// </summary>
public sealed class DenseBlock : nn.Module<Tensor, Tensor>
{
    private readonly DenseLayer[] layers;

    public DenseBlock(int numLayers, long inChannels, int growthRate, int bnSize, double dropRate) : base(nameof(DenseBlock))
    {
        layers = [.. Enumerable.Range(0, numLayers).Select(i => new DenseLayer(inChannels + (long)i * growthRate, growthRate, bnSize, dropRate))];
        // The children's names are numbered from 1 (torchvision's keys), which field reflection cannot express.
        for (var i = 0; i < layers.Length; i++)
        {
            register_module($"denselayer{i + 1}", layers[i]);
        }
    }

    public override Tensor forward(Tensor input)
    {
        var features = new List<Tensor>(layers.Length + 1) { input };
        foreach (var layer in layers)
        {
            features.Add(layer.forward(cat(features, 1)));
        }
        return cat(features, 1);
    }
}
