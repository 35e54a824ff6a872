using Cl2.Models.Inference;

namespace Cl2.Training.Tests.Inference;

public sealed class ConnectedComponentsTests
{
    [Fact]
    public void voxels_outside_the_largest_component_of_a_class_set_become_background()
    {
        // One row of 8: a component of three (classes 1 and 2 together), a gap, an island of one, a gap, class 3 alone.
        byte[] map = [1, 2, 1, 0, 1, 0, 3, 0];
        ConnectedComponents.KeepLargest(map, 1, 1, 8, [1, 2]);
        Assert.Equal([1, 2, 1, 0, 0, 0, 3, 0], map);
    }

    [Fact]
    public void background_enclosed_by_a_class_set_is_filled_and_background_reaching_the_border_is_not()
    {
        // 5×5 in one slice: a ring of liver (1) with a hole at its centre, a lesion (2) in the ring, background outside.
        byte[] map =
        [
            0, 0, 0, 0, 0,
            0, 1, 1, 2, 0,
            0, 1, 0, 1, 0,
            0, 1, 1, 1, 0,
            0, 0, 0, 0, 0,
        ];
        ConnectedComponents.FillHoles(map, 1, 5, 5, [1, 2], 1);
        Assert.Equal(1, map[12]);
        Assert.Equal(16, map.Count(value => value == 0));
        Assert.Equal(2, map[8]);
    }
}
