using Cl2.Dicom.Segmentation;
using Xunit.Abstractions;

namespace Cl2.Dicom.Tests.ResultObjects;

public sealed class SegmentationWriterTests(SegmentationFixture fixture, ITestOutputHelper output) : IClassFixture<SegmentationFixture>
{
    [Fact]
    public async Task dciodvfy_finds_no_error_in_a_written_segmentation()
    {
        var (errors, warnings, text) = await ResultObjectPeers.DciodvfyAsync(fixture.Path);
        output.WriteLine(text);

        Assert.True(errors.Length == 0, text);
        Assert.Contains("Segmentation", text, StringComparison.Ordinal);
        output.WriteLine($"{warnings.Length} warnings");
    }
}
