using TorchSharp;
using static TorchSharp.torch;

namespace Cl2.Models.Transforms;

/// <summary>
/// Intensity normalisation per modality (named apart from the manifest's Checkpoints.IntensityNormalisation record), as
/// MONAI's ScaleIntensityRange (CT) and NormalizeIntensity (MRI).
/// </summary>
/// <remarks>
/// Every number handed to libtorch here is a named <see cref="Scalar"/> disposed after the call that reads it. TorchSharp
/// passes an implicitly converted Scalar's native pointer without keeping the Scalar reachable, so a garbage collection
/// during the call could finalize (free) it while libtorch still reads it: "Unknown scalar type" or a wrong value, seen
/// with several studies normalised at once.
/// </remarks>
public static class NormaliseIntensity
{
    /// <summary>CT: clip Hounsfield units to the window [<paramref name="low"/>, <paramref name="high"/>] and scale it to [0, 1].</summary>
    public static Tensor CtWindow(Tensor hounsfieldUnits, double low, double high)
    {
        if (high <= low)
        {
            throw new ArgumentException($"the window's upper bound {high} must exceed its lower bound {low}");
        }
        using Scalar lowest = low, highest = high, width = high - low;
        return (hounsfieldUnits.clamp(lowest, highest) - lowest) / width;
    }

    /// <summary>
    /// MRI: z-score each channel over its foreground only (voxels above <paramref name="foregroundFraction"/> of the
    /// channel's maximum), so the air around the head does not set the scale; background voxels become 0. Input is
    /// C×spatial (one case).
    /// </summary>
    public static Tensor ZScoreForeground(Tensor image, double foregroundFraction = 0.1)
    {
        using var scope = NewDisposeScope();
        using Scalar fraction = foregroundFraction, smallest = MinimumDeviation;
        var channels = new List<Tensor>();
        for (var c = 0; c < image.shape[0]; c++)
        {
            var channel = image[c].to_type(ScalarType.Float32);
            var foreground = channel > (channel.max() * fraction);
            var values = channel.masked_select(foreground);
            if (values.numel() < 2)
            {
                channels.Add(zeros_like(channel));
                continue;
            }
            var mean = values.mean();
            var deviation = values.std().clamp_min(smallest);
            channels.Add(where(foreground, (channel - mean) / deviation, zeros_like(channel)));
        }
        return stack(channels).MoveToOuterDisposeScope();
    }

    /// <summary>Z-score over the whole image (radiographs: exposure and detector gain vary from film to film).</summary>
    public static Tensor ZScore(Tensor image)
    {
        using Scalar smallest = MinimumDeviation;
        return (image - image.mean()) / image.std().clamp_min(smallest);
    }

    /// <summary>A flat image's standard deviation is taken as this, so it is not divided by zero.</summary>
    private const double MinimumDeviation = 1e-8;
}
