using Cl2.Dicom;
using Cl2.Dicom.Imaging;
using Cl2.Labeling.Archive;

namespace Cl2.Labeling.Tests.Archive;

/// <summary>
/// The layout the archive records at store time (<see cref="InstanceLayout"/>) answers exactly what parsing the whole
/// instance answered: the same metadata bytes and the same frame bytes, for every file of the pydicom corpus.
/// </summary>
public sealed class InstanceLayoutTests
{
    /// <summary>A URL with characters JSON escapes, so that the URL put in on the way out is escaped as the writer escapes it.</summary>
    private const string InstanceUrl = "http://archive.example:8080/a\"b\\c/dicomweb/studies/1.2/series/1.2.3/instances/1.2.3.4";

    private static readonly ArchiveOptions Options = new();

    /// <summary>The corpus files the reader opens (the broken ones are the hostile input tests' business).</summary>
    private static IEnumerable<string> ReadableFiles() => Cl2.Testing.Corpus.TestFiles().Select(Cl2.Testing.Corpus.File).Where(path =>
    {
        try
        {
            DicomFile.Open(path);
            return true;
        }
        catch (Exception exception) when (exception is DicomFormatException or EndOfStreamException or InvalidDataException or NotSupportedException)
        {
            return false;
        }
    });

    [Fact]
    public void recorded_metadata_is_byte_for_byte_what_the_whole_instance_gives_for_every_corpus_file()
    {
        var compared = 0;
        foreach (var path in ReadableFiles())
        {
            var layout = InstanceLayout.Describe(DicomFile.Open(path, Options.ReaderOptions), path, Options);
            using var parsed = new MemoryStream();
            using var whole = File.OpenRead(path);
            var written = Record.Exception(() =>
                DicomJsonWriter.Write(parsed, DicomFile.Open(whole).Dataset, RetrieveBulkData.Locator(InstanceUrl, Options.MaxInlineBinaryBytes)));
            if (layout is null)
            {
                Assert.True(written is not null, $"{path}: no layout recorded, though its metadata can be written");
                continue;
            }
            Assert.Null(written);
            using var recorded = new MemoryStream();
            layout.Metadata.WriteTo(recorded, InstanceUrl);
            Assert.True(parsed.ToArray().AsSpan().SequenceEqual(recorded.ToArray()), $"{path}: the recorded metadata differs from the parsed instance's");
            compared++;
        }
        Assert.True(compared > 150, $"only {compared} corpus files compared");
    }

    [Fact]
    public async Task recorded_frame_ranges_read_byte_for_byte_the_frames_the_parsed_instance_gives_for_every_corpus_file()
    {
        var located = new List<string>();
        foreach (var path in ReadableFiles())
        {
            var file = DicomFile.Open(path, Options.ReaderOptions);
            var ranges = FrameRanges.Locate(file, path, Options);
            if (ranges is null)
            {
                continue;
            }
            var pixelData = DicomPixelData.From(DicomFile.Open(new MemoryStream(await File.ReadAllBytesAsync(path))));
            Assert.Equal(pixelData.NumberOfFrames, ranges.Count);
            await using var instance = File.OpenRead(path);
            for (var frame = 1; frame <= ranges.Count; frame++)
            {
                var read = await ranges.ReadAsync(instance, frame, CancellationToken.None);
                Assert.True(pixelData.GetFrameBytes(frame - 1).AsSpan().SequenceEqual(read),
                    $"{path}: frame {frame} read by its ranges differs from the parsed frame");
            }
            located.Add(Path.GetFileName(path));
        }
        // Native little endian, JPEG 2000, RLE multi-frame, JPEG baseline and JPEG-LS files are all read by their ranges.
        Assert.Superset(new HashSet<string> { "CT_small.dcm", "MR_small.dcm", "JPEG2000.dcm", "SC_rgb_rle_2frame.dcm", "SC_rgb_jpeg_dcmtk.dcm",
            "MR_small_jpeg_ls_lossless.dcm" }, located.ToHashSet());
    }

    [Fact]
    public void frames_of_big_endian_or_deflated_files_are_not_located()
    {
        foreach (var name in (string[])["MR_small_bigendian.dcm", "image_dfl.dcm"])
        {
            var path = Cl2.Testing.Corpus.File(name);
            Assert.Null(FrameRanges.Locate(DicomFile.Open(path, Options.ReaderOptions), path, Options));
        }
    }
}
