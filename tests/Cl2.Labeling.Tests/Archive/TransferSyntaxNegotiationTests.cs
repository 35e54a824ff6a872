using Cl2.Labeling.Archive;

namespace Cl2.Labeling.Tests.Archive;

/// <summary>The negotiation rules alone (PS3.18 §8.7.3), without a host: Accept parsing, defaults, "*", fall-backs, refusals.</summary>
public sealed class TransferSyntaxNegotiationTests
{
    private const string ExplicitLE = "1.2.840.10008.1.2.1";
    private const string ImplicitLE = "1.2.840.10008.1.2";
    private const string JpegBaseline = "1.2.840.10008.1.2.4.50";
    private const string Mpeg2 = "1.2.840.10008.1.2.4.100"; // encapsulated, and no codec here decodes it

    private static IReadOnlyList<MediaRange> Accept(params string[] values) =>
        values.SelectMany(v => v.Split(',')).Select(MediaRange.Parse).OfType<MediaRange>().Where(r => r.Quality > 0).OrderByDescending(r => r.Quality).ToArray();

    [Fact]
    public void media_ranges_read_quoted_and_bare_parameters_and_quality_in_any_case()
    {
        var range = MediaRange.Parse("Multipart/Related; TYPE=\"application/dicom\"; transfer-syntax=1.2.840.10008.1.2;q=0.4")!;
        Assert.Equal(new MediaRange("multipart/related", "application/dicom", ImplicitLE, 0.4), range);
        Assert.Equal(new MediaRange("multipart/related", "application/octet-stream", "*", 1), MediaRange.Parse("multipart/related; type=application/octet-stream; transfer-syntax=*"));
        Assert.True(MediaRange.Parse("image/*")!.Covers("image/png"));
        Assert.False(MediaRange.Parse("image/jpeg")!.Covers("image/png"));
        Assert.Empty(Accept("image/png;q=0"));
    }

    [Fact]
    public void instances_default_to_explicit_vr_little_endian_take_star_as_stored_and_refuse_to_compress()
    {
        string[] implicitStored = [ImplicitLE];
        Assert.Equal((ExplicitLE, (string?)null), TransferSyntaxNegotiation.ForInstances([MediaRange.Any], implicitStored));
        Assert.Equal(("*", (string?)null), TransferSyntaxNegotiation.ForInstances(Accept("multipart/related; type=\"application/dicom\"; transfer-syntax=*"), implicitStored));
        Assert.Equal((ImplicitLE, (string?)null), TransferSyntaxNegotiation.ForInstances(
            Accept($"multipart/related; type=\"application/dicom\"; transfer-syntax={JpegBaseline}", $"multipart/related; type=\"application/dicom\"; transfer-syntax={ImplicitLE};q=0.2"),
            [ExplicitLE]));

        var (target, refusal) = TransferSyntaxNegotiation.ForInstances(Accept($"multipart/related; type=\"application/dicom\"; transfer-syntax={JpegBaseline}"), [ExplicitLE, ImplicitLE]);
        Assert.Null(target);
        Assert.Contains("Explicit VR Little Endian (1.2.840.10008.1.2.1), Implicit VR Little Endian (1.2.840.10008.1.2)", refusal, StringComparison.Ordinal);
        Assert.Contains($"transfer-syntax={ExplicitLE} or {ImplicitLE} or 1.2.840.10008.1.2.1.99 or *", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void what_no_codec_decodes_goes_as_stored_to_a_client_that_takes_anything_and_is_refused_to_one_that_asks_native()
    {
        Assert.Equal(("*", (string?)null), TransferSyntaxNegotiation.ForInstances([MediaRange.Any], [Mpeg2]));
        var (_, refusal) = TransferSyntaxNegotiation.ForInstances(Accept("multipart/related; type=\"application/dicom\""), [Mpeg2]);
        Assert.Contains($"transfer-syntax={Mpeg2} or *", refusal, StringComparison.Ordinal);

        var (anything, _) = TransferSyntaxNegotiation.ForFrames([MediaRange.Any], Mpeg2);
        Assert.Equal(new FrameEncoding(false, $"application/octet-stream; transfer-syntax={Mpeg2}"), anything);
        var (none, why) = TransferSyntaxNegotiation.ForFrames(Accept("multipart/related; type=\"application/octet-stream\""), Mpeg2);
        Assert.Null(none);
        Assert.Contains("which no codec here decodes", why, StringComparison.Ordinal);
    }

    [Fact]
    public void frames_are_decoded_by_default_and_sent_as_stored_for_star_or_their_own_media_type()
    {
        var native = new FrameEncoding(true, $"application/octet-stream; transfer-syntax={ExplicitLE}");
        var stored = new FrameEncoding(false, $"image/jpeg; transfer-syntax={JpegBaseline}");
        Assert.Equal(native, TransferSyntaxNegotiation.ForFrames([MediaRange.Any], JpegBaseline).Encoding);
        Assert.Equal(native, TransferSyntaxNegotiation.ForFrames(Accept("multipart/related"), JpegBaseline).Encoding);
        Assert.Equal(stored, TransferSyntaxNegotiation.ForFrames(Accept("multipart/related; type=application/octet-stream; transfer-syntax=*"), JpegBaseline).Encoding);
        Assert.Equal(stored, TransferSyntaxNegotiation.ForFrames(Accept("multipart/related; type=\"image/jpeg\""), JpegBaseline).Encoding);
        Assert.Null(TransferSyntaxNegotiation.ForFrames(Accept("multipart/related; type=\"image/jpeg\"; transfer-syntax=1.2.840.10008.1.2.4.70"), JpegBaseline).Encoding);
        Assert.Null(TransferSyntaxNegotiation.ForFrames(Accept("multipart/related; type=\"image/jls\""), JpegBaseline).Encoding);
        Assert.Equal(new FrameEncoding(false, $"application/octet-stream; transfer-syntax={ExplicitLE}"),
            TransferSyntaxNegotiation.ForFrames(Accept("multipart/related; type=application/octet-stream; transfer-syntax=*"), ImplicitLE).Encoding);
    }
}
