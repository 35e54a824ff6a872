using Cl2.Inference.Serving;

namespace Cl2.Inference.Tests.Processing;

/// <summary>The Dice a shadow's segment is compared with production's by (no processes).</summary>
public sealed class ShadowAgreementTests
{
    [Fact]
    public void two_empty_masks_agree_fully()
    {
        Assert.Equal(1.0, ShadowAgreement.Dice(new byte[8], new byte[8]));
    }

    [Fact]
    public void disjoint_masks_do_not_agree_at_all()
    {
        Assert.Equal(0.0, ShadowAgreement.Dice([1, 1, 0, 0], [0, 0, 1, 1]));
    }

    [Fact]
    public void overlapping_masks_agree_by_twice_the_overlap_over_both_sizes()
    {
        // |A| = 3, |B| = 2, |A∩B| = 1: 2·1 / 5.
        Assert.Equal(0.4, ShadowAgreement.Dice([1, 1, 1, 0], [0, 0, 1, 1]), 12);
    }
}
