using Cl2.Dicom.Coding;
using Cl2.Dicom.Segmentation;

namespace Cl2.Models.Workloads;

/// <summary>One segment a segmentation workload outputs: its class index, name and coded property (the SEG's Segment Sequence).</summary>
/// <param name="Label">The class index in the network's output (1 … N; 0 is background).</param>
public sealed record OutputSegment(int Label, string Name, SegmentedProperty Property)
{
    /// <summary>A segment per output label after background, coded by <see cref="SegmentedProperty.ForLabel"/>.</summary>
    public static IReadOnlyList<OutputSegment> Of(IReadOnlyList<string> labels) =>
        [.. labels.Skip(1).Select((name, index) => new OutputSegment(index + 1, name, SegmentedProperty.ForLabel(name)))];
}

/// <summary>The finding a classification workload reports (present or absent, with the model's probability).</summary>
public sealed record OutputFinding(string Name, CodedConcept Finding, CodedConcept FindingSite);
