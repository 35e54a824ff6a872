using Cl2.Dicom.Coding;
using Cl2.Dicom.Segmentation;

namespace Cl2.Dicom.Tests.ResultObjects;

public sealed class SegmentedPropertyTests
{
    [Theory]
    [InlineData("liver", "10200004", null)]
    [InlineData("liver lesion", "108369006", "10200004")]
    [InlineData("necrotic tumour core", "6574001", "12738006")]
    [InlineData("peritumoral oedema", "79654002", "12738006")]
    [InlineData("enhancing tumour", "C113842", "12738006")]
    public void a_workload_class_name_maps_to_its_coded_type_and_region(string label, string type, string? region)
    {
        var property = SegmentedProperty.ForLabel(label);

        Assert.Equal(type, property.Type.Value);
        Assert.Equal(region, property.AnatomicRegion?.Value);
    }

    [Fact]
    public void an_unknown_class_name_is_refused_naming_the_known_ones()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => SegmentedProperty.ForLabel("spleen"));

        Assert.Contains("liver lesion", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_code_item_reads_back_as_the_concept_it_was_written_from()
    {
        Assert.Equal(CodedConcepts.EnhancingLesion, CodedConcept.FromItem(CodedConcepts.EnhancingLesion.ToItem()));
    }

    [Fact]
    public void a_code_value_longer_than_sixteen_characters_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new CodedConcept("12345678901234567", "SCT", "too long").ToItem());
    }
}
