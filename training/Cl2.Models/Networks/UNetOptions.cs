namespace Cl2.Models.Networks;

/// <summary>
/// Hyper-parameters of MONAI's residual <c>UNet</c> with its names and defaults (instance norm, PReLU). The channels,
/// strides and residual units default to MONAI's spleen/liver CT tutorials: 16…256, four stride-2 levels, two units
/// (the tutorials also switch to batch norm: <see cref="Norm"/>).
/// </summary>
public sealed record UNetOptions
{
    public int SpatialDims { get; init; } = 3;
    public int InChannels { get; init; } = 1;
    public int OutChannels { get; init; } = 2;
    public IReadOnlyList<int> Channels { get; init; } = [16, 32, 64, 128, 256];
    public IReadOnlyList<int> Strides { get; init; } = [2, 2, 2, 2];
    public int KernelSize { get; init; } = 3;
    public int UpKernelSize { get; init; } = 3;
    public int NumResUnits { get; init; } = 2;
    public NormKind Norm { get; init; } = NormKind.Instance;
    public double Dropout { get; init; }

    internal void Validate()
    {
        SpatialLayers.RequireSpatialDims(SpatialDims);
        if (Channels.Count < 2 || Strides.Count < Channels.Count - 1)
        {
            throw new ArgumentException($"UNet needs at least two channel levels and one stride per level below the top (channels {Channels.Count}, strides {Strides.Count}).");
        }
        if (KernelSize % 2 != 1 || UpKernelSize % 2 != 1)
        {
            throw new ArgumentException("UNet kernel sizes must be odd so that 'same' padding exists.");
        }
    }
}
