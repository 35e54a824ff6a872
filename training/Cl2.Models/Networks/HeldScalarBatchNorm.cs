using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cl2.Models.Networks;

/// <summary>
/// PyTorch's <c>BatchNorm2d</c> / <c>BatchNorm3d</c> (affine, running statistics; the same parameters, buffers and
/// state-dict keys) whose training step counts the batch with a held Scalar. TorchSharp's own
/// <c>BatchNorm.forward</c> does <c>num_batches_tracked.add_(1)</c>: an implicit Scalar, and an implicit alpha, that
/// nothing keeps alive, so a collection on another thread can free them while libtorch reads them
/// (docs/training.md, "Numbers handed to libtorch").
/// </summary>
public sealed class HeldScalarBatchNorm : BatchNorm
{
    private readonly int _spatialDims;

    public HeldScalarBatchNorm(long features, int spatialDims)
        : base(features, eps: 1e-5, momentum: 0.1, affine: true, track_running_stats: true, device: null, dtype: null, name: $"BatchNorm{spatialDims}d")
    {
        _spatialDims = spatialDims;
    }

    /// <summary>TorchSharp's <c>BatchNorm.forward</c>, step for step, with the count's Scalars named.</summary>
    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        var averagingFactor = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is not null)
        {
            using Scalar one = 1;
            num_batches_tracked.add_(one, one);
            averagingFactor = momentum ?? 1.0 / num_batches_tracked.item<long>();
        }
        var batchStatistics = training || (running_mean is null && running_var is null);
        var running = !training || track_running_stats;
        return nn.functional.batch_norm(input, running ? running_mean : null, running ? running_var : null, weight, bias, batchStatistics, averagingFactor, eps);
    }

    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != _spatialDims + 2)
        {
            throw new ArgumentException($"BatchNorm{_spatialDims}d expects {_spatialDims + 2}-D input (N×C×spatial); got {input.ndim}-D.", nameof(input));
        }
    }
}
