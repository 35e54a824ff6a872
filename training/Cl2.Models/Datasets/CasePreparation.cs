using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Cl2.Models.Transforms;
using Cl2.Models.Workloads;
using static TorchSharp.torch;

namespace Cl2.Models.Datasets;

/// <summary>
/// The preprocessing a case gets once, before it is cached: its normalised image and target (<see cref="TaskTensors"/>)
/// resampled from the series' spacing to the training spacing (images trilinear or bilinear, class maps by nearest
/// neighbour, so they stay on the same grid), and the cache key that names the result.
/// </summary>
public static class CasePreparation
{
    /// <summary>Bumped whenever what a prepared case holds changes, so old cache files are not read as new ones.</summary>
    public const string Version = "1";

    /// <param name="targetSpacing">The training grid's spacing in array order; null keeps the case's own.</param>
    public static PreparedCase Prepare(Tensor image, Tensor target, IReadOnlyList<double> spacing, IReadOnlyList<double>? targetSpacing)
    {
        using var scope = NewDisposeScope();
        if (targetSpacing is null || targetSpacing.SequenceEqual(spacing))
        {
            return new PreparedCase(image.alias().MoveToOuterDisposeScope(), target.alias().MoveToOuterDisposeScope(), spacing);
        }
        var resampled = Resample.Image(image, spacing, targetSpacing);
        // A class-index map is resampled with its image; a classification target (one value per label) is not an image.
        var resampledTarget = target.dim() == 1 ? target.alias() : Resample.Labels(target, spacing, targetSpacing);
        return new PreparedCase(resampled.MoveToOuterDisposeScope(), resampledTarget.MoveToOuterDisposeScope(), [.. targetSpacing]);
    }

    /// <summary>
    /// The cache key of a case: SHA-256 over what identifies its data (the caller's parts: instances, label revision
    /// and its blob) and the preprocessing (<see cref="Version"/>, the workload and its channels' normalisation, the
    /// training spacing).
    /// </summary>
    public static string Key(Workload workload, IReadOnlyList<double>? targetSpacing, IEnumerable<string> data)
    {
        var text = new StringBuilder()
            .Append("prepared-case ").Append(Version).Append('\n')
            .Append(workload.Name).Append('\n')
            .AppendJoin(',', workload.Channels.Select(channel => $"{channel.Modality}:{channel.Normalisation}")).Append('\n')
            .Append(targetSpacing is null ? "own spacing" : string.Join(',', targetSpacing.Select(s => s.ToString("R", CultureInfo.InvariantCulture)))).Append('\n')
            .AppendJoin('\n', data);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
