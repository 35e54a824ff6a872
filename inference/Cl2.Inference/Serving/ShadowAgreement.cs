using Cl2.Labeling.Client;
using Cl2.Models.Inference;

namespace Cl2.Inference.Serving;

/// <summary>
/// How far a shadow version's result agrees with production's on the same study, per label: a segment's Dice over its
/// masks (1 when neither marked a voxel: both agree it is absent), or, for a finding, 1 when both made the same decision
/// and 0 when not. A segment only one of them output counts as an empty mask for the other.
/// </summary>
public static class ShadowAgreement
{
    public static IReadOnlyList<LabelAgreementInput> Of(WorkloadResult production, WorkloadResult shadow)
    {
        if (production.Classification is { } decided)
        {
            var other = shadow.Classification ?? throw new InvalidOperationException("The shadow version made no classification where production did.");
            return [new LabelAgreementInput(decided.Finding.Name, decided.Present == other.Present ? 1 : 0)];
        }
        var (mine, theirs) = (production.Segmentation ?? throw new InvalidOperationException("Production made neither a segmentation nor a classification."),
            shadow.Segmentation ?? throw new InvalidOperationException("The shadow version made no segmentation where production did."));
        if ((mine.Depth, mine.Height, mine.Width) != (theirs.Depth, theirs.Height, theirs.Width))
        {
            throw new InvalidOperationException($"The shadow's masks ({theirs.Depth}×{theirs.Height}×{theirs.Width}) are not on production's grid " +
                $"({mine.Depth}×{mine.Height}×{mine.Width}).");
        }
        var names = mine.Segments.Select(segment => segment.Segment.Name).Union(theirs.Segments.Select(segment => segment.Segment.Name), StringComparer.Ordinal);
        return [.. names.Select(name => new LabelAgreementInput(name, Dice(MaskOf(mine, name), MaskOf(theirs, name))))];
    }

    /// <summary>2·|A∩B| / (|A| + |B|) over two binary masks of the same length; 1 when both are empty.</summary>
    public static double Dice(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        long both = 0, inA = 0, inB = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var (x, y) = (a[i] != 0, b[i] != 0);
            inA += x ? 1 : 0;
            inB += y ? 1 : 0;
            both += x && y ? 1 : 0;
        }
        return inA + inB == 0 ? 1 : 2.0 * both / (inA + inB);
    }

    private static ReadOnlySpan<byte> MaskOf(SegmentationOutput output, string name) =>
        output.Segments.FirstOrDefault(segment => segment.Segment.Name == name)?.Mask ?? new byte[output.Depth * output.Height * output.Width];
}
