using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Networks;

/// <summary>
/// torchvision's <c>_DenseLayer</c>: BN → ReLU → 1×1 conv (bottleneck of bn_size·growth channels) → BN → ReLU →
/// 3×3 conv (growth channels), applied to everything the block has produced so far.
/// </summary>
public sealed class DenseLayer : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> norm1;
    private readonly nn.Module<Tensor, Tensor> relu1;
    private readonly nn.Module<Tensor, Tensor> conv1;
    private readonly nn.Module<Tensor, Tensor> norm2;
    private readonly nn.Module<Tensor, Tensor> relu2;
    private readonly nn.Module<Tensor, Tensor> conv2;
    private readonly double dropRate;

    public DenseLayer(long inChannels, int growthRate, int bnSize, double dropRate) : base(nameof(DenseLayer))
    {
        norm1 = new HeldScalarBatchNorm(inChannels, 2);
        relu1 = nn.ReLU();
        conv1 = nn.Conv2d(inChannels, (long)bnSize * growthRate, 1, bias: false);
        norm2 = new HeldScalarBatchNorm((long)bnSize * growthRate, 2);
        relu2 = nn.ReLU();
        conv2 = nn.Conv2d((long)bnSize * growthRate, growthRate, 3, padding: 1, bias: false);
        this.dropRate = dropRate;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var x = conv1.forward(relu1.forward(norm1.forward(input)));
        x = conv2.forward(relu2.forward(norm2.forward(x)));
        return dropRate > 0 ? nn.functional.dropout(x, dropRate, training) : x;
    }
}
