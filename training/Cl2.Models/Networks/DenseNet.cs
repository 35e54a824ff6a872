using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cl2.Models.Networks;

/// <summary>
/// DenseNet (Huang et al. 2017) as torchvision builds it, DenseNet-121 by default: <c>features</c> (conv0, norm0,
/// relu0, pool0, denseblock1, transition1, …, denseblock4, norm5) and <c>classifier</c>. The state-dict keys equal
/// torchvision's <c>densenet121()</c>, so its weights load as they are.
/// </summary>
public sealed class DenseNet : nn.Module<Tensor, Tensor>
{
    private readonly Sequential features;
    private readonly Linear classifier;

    public DenseNet(DenseNetOptions options) : base(nameof(DenseNet))
    {
        Options = options;
        var stem = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("conv0", nn.Conv2d(options.InChannels, options.NumInitFeatures, 7, stride: 2, padding: 3, bias: false)),
            ("norm0", new HeldScalarBatchNorm(options.NumInitFeatures, 2)),
            ("relu0", nn.ReLU()),
            ("pool0", nn.MaxPool2d(3, stride: 2, padding: 1)),
        };
        long channels = options.NumInitFeatures;
        for (var i = 0; i < options.BlockConfig.Count; i++)
        {
            stem.Add(($"denseblock{i + 1}", new DenseBlock(options.BlockConfig[i], channels, options.GrowthRate, options.BnSize, options.DropRate)));
            channels += (long)options.BlockConfig[i] * options.GrowthRate;
            if (i != options.BlockConfig.Count - 1)
            {
                stem.Add(($"transition{i + 1}", Transition(channels, channels / 2)));
                channels /= 2;
            }
        }
        stem.Add(("norm5", new HeldScalarBatchNorm(channels, 2)));
        features = nn.Sequential(stem);
        classifier = nn.Linear(channels, options.NumClasses);
        RegisterComponents();
        InitialiseAsTorchvision();
    }

    public DenseNetOptions Options { get; }

    public override Tensor forward(Tensor input)
    {
        var x = nn.functional.relu(features.forward(input));
        x = nn.functional.adaptive_avg_pool2d(x, [1, 1]);
        return classifier.forward(x.flatten(1));
    }

    /// <summary>torchvision's <c>_Transition</c>: BN → ReLU → 1×1 conv halving the channels → 2×2 average pooling.</summary>
    private static Sequential Transition(long inChannels, long outChannels) => nn.Sequential(
        ("norm", new HeldScalarBatchNorm(inChannels, 2)),
        ("relu", nn.ReLU()),
        ("conv", nn.Conv2d(inChannels, outChannels, 1, bias: false)),
        ("pool", nn.AvgPool2d(2, stride: 2)));

    /// <summary>He-normal convolutions, unit BN scale, zero biases: torchvision's initialisation, for training from scratch.</summary>
    private void InitialiseAsTorchvision()
    {
        using var noGrad = no_grad();
        // Held until libtorch has read them: an implicitly converted Scalar can be freed mid-call by a collection on
        // another thread (networks are built while loaders and other model runs allocate).
        using Scalar one = 1, zero = 0;
        foreach (var (_, module) in named_modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight);
                    break;
                case HeldScalarBatchNorm norm:
                    nn.init.constant_(norm.weight, one);
                    nn.init.constant_(norm.bias, zero);
                    break;
                case Linear linear when linear.bias is not null:
                    nn.init.constant_(linear.bias, zero);
                    break;
            }
        }
    }
}
