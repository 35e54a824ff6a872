namespace Cl2.Models.Networks;

/// <summary>The feature normalisation inside MONAI convolution blocks (<c>Norm.INSTANCE</c> or <c>Norm.BATCH</c>).</summary>
public enum NormKind
{
    /// <summary>Instance norm without affine parameters or running statistics (MONAI's default): nothing in the checkpoint.</summary>
    Instance,

    /// <summary>Batch norm with affine parameters and running statistics, as MONAI's spleen tutorial configures its UNet.</summary>
    Batch,
}
