using Cl2.Models.Networks;
using Cl2.Models.Workloads;
using static TorchSharp.torch;

namespace Cl2.Training.Tests.Workloads;

public sealed class BrainMriWorkloadTests
{
    private readonly Workload _brain = WorkloadRegistry.For(WorkloadTask.BrainMri);

    [Fact]
    public void the_brain_workload_trains_segresnet_with_four_sequences_in_and_three_regions_out()
    {
        Assert.Equal(Cl2.Models.Checkpoints.ArchitectureSpec.SegResNetName, _brain.Architecture.Name);
        Assert.Equal((4, 3, 3), _brain.Architecture.Interface);
        Assert.Equal(["tumour core", "whole tumour", "enhancing tumour"], _brain.Output.Labels);
        Assert.Equal(["tc", "wt", "et"], BrainMriWorkload.Regions.Select(region => region.Name));
    }

    [Fact]
    public void the_brain_workloads_segresnet_has_the_parameter_count_its_architecture_gives()
    {
        using var scope = NewDisposeScope();
        var network = (SegResNet)_brain.CreateNetwork();

        // MONAI's SegResNet(init_filters=8, in_channels=4, out_channels=3, blocks_down=(1,2,2,4), blocks_up=(1,1,1)):
        // 1 176 843 parameters, as counted from its layers below.
        Assert.Equal(1_176_843, CountFromArchitecture(network.Options));
        Assert.Equal(1_176_843, network.Describe().Parameters);
    }

    [Fact]
    public void the_parameter_count_from_the_architecture_matches_monais_default_brats_and_bundle_networks()
    {
        // The first two are also checked against MONAI's own count in SegResNetTests (networks.json).
        Assert.Equal(1_176_186, CountFromArchitecture(new SegResNetOptions()));
        Assert.Equal(18_798_627, CountFromArchitecture(SegResNetOptions.Brats));
        Assert.Equal(4_702_227, CountFromArchitecture(SegResNetOptions.Brats with { InitFilters = 16 }));
    }

    [Fact]
    public void consistent_regions_decode_to_the_brats_classes()
    {
        using var scope = NewDisposeScope();
        // Voxels: nothing; WT only (oedema); WT + TC (necrotic core); WT + TC + ET (enhancing). Channels TC, WT, ET.
        var logits = tensor(new float[]
        {
            -4, -4, 4, 4,
            -4, 4, 4, 4,
            -4, -4, -4, 4,
        }).reshape(1, 3, 1, 1, 4);

        var classes = _brain.ClassMap(logits);

        Assert.Equal([1L, 1, 1, 4], classes.shape);
        Assert.Equal([0L, 2, 1, 3], classes.flatten().data<long>().ToArray());
    }

    [Fact]
    public void contradicting_regions_decode_to_the_likeliest_class()
    {
        using var scope = NewDisposeScope();
        // ET barely on while WT and TC are firmly off: background explains two of three regions and is chosen.
        var logits = tensor(new float[] { -4, -4, 0.2f }).reshape(1, 3, 1, 1, 1);
        Assert.Equal(0L, _brain.ClassMap(logits).item<long>());
    }

    [Fact]
    public void the_brain_segments_are_the_three_brats_classes_with_their_coded_properties()
    {
        Assert.Equal([1, 2, 3], _brain.Segments.Select(segment => segment.Label));
        Assert.Equal(["necrotic tumour core", "peritumoral oedema", "enhancing tumour"], _brain.Segments.Select(segment => segment.Name));
        Assert.Equal(Cl2.Dicom.Segmentation.SegmentedProperty.EnhancingTumour, _brain.Segments[2].Property);
    }

    /// <summary>SegResNet's parameters counted layer by layer as MONAI builds them (3³ convolutions without bias,
    /// GroupNorm with a scale and shift per channel, 1³ up-sampling convolutions, a final 1³ convolution with bias).</summary>
    private static long CountFromArchitecture(SegResNetOptions o)
    {
        long ResBlock(long c) => 2 * (2 * c) + 2 * (27 * c * c);
        long count = 27L * o.InChannels * o.InitFilters;
        for (var stage = 0; stage < o.BlocksDown.Count; stage++)
        {
            var c = (long)o.InitFilters << stage;
            count += (stage > 0 ? 27 * (c / 2) * c : 0) + o.BlocksDown[stage] * ResBlock(c);
        }
        for (var stage = 0; stage < o.BlocksUp.Count; stage++)
        {
            var c = (long)o.InitFilters << (o.BlocksUp.Count - stage);
            count += c * (c / 2) + o.BlocksUp[stage] * ResBlock(c / 2);
        }
        return count + 2 * o.InitFilters + (long)o.InitFilters * o.OutChannels + o.OutChannels;
    }
}
