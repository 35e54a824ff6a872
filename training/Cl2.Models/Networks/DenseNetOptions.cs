namespace Cl2.Models.Networks;

/// <summary>
/// torchvision's DenseNet hyper-parameters (Huang et al. 2017). The defaults are DenseNet-121 with the ImageNet head;
/// a radiograph classifier sets <see cref="InChannels"/> to 1 and <see cref="NumClasses"/> to its labels.
/// </summary>
public sealed record DenseNetOptions
{
    public int GrowthRate { get; init; } = 32;
    public IReadOnlyList<int> BlockConfig { get; init; } = [6, 12, 24, 16];
    public int NumInitFeatures { get; init; } = 64;
    public int BnSize { get; init; } = 4;
    public double DropRate { get; init; }
    public int NumClasses { get; init; } = 1000;
    public int InChannels { get; init; } = 3;
}
