using System.Text.Encodings.Web;
using System.Text.Json;
using Cl2.Dicom;
using Cl2.Dicom.Imaging;

namespace Cl2.Labeling.Archive;

/// <summary>
/// What the archive records about an instance's bytes when it stores them, so that WADO-RS answers without parsing the
/// file again: its metadata as DICOM JSON and where each frame's stored bytes lie in the file. Parsing a whole instance
/// (pixel data included) for every metadata or frame request made a series' metadata cost one parse per instance.
/// </summary>
public sealed record InstanceLayout(InstanceMetadata Metadata, FrameRanges? Frames)
{
    /// <summary>
    /// The layout of a parsed instance whose bytes are the file at <paramref name="path"/> (the STOW spool file, or a
    /// stored blob copied out), or null when its metadata cannot be written as JSON: such an instance is parsed on each
    /// request, as before, and fails there the way it always did.
    /// </summary>
    public static InstanceLayout? Describe(DicomFile file, string path, ArchiveOptions options)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(options);
        InstanceMetadata metadata;
        try
        {
            metadata = InstanceMetadata.From(file.Dataset, options.MaxInlineBinaryBytes);
        }
        catch (Exception exception) when (exception is DicomFormatException or FormatException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
        return new InstanceLayout(metadata, FrameRanges.Locate(file, path, options));
    }
}

/// <summary>
/// An instance's DICOM JSON as WADO-RS metadata gives it, written once at store time. BulkDataURIs hold only the part
/// after the instance's URL (<c>/bulk/{tag path}</c>): the URL depends on how the client reached the archive
/// (<see cref="ArchiveLinks"/>), so it is put in at <see cref="UrlOffsets"/> on the way out.
/// </summary>
public sealed record InstanceMetadata(byte[] Json, int[] UrlOffsets, int MaxInlineBinaryBytes)
{
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    public static InstanceMetadata From(DicomDataset dataset, int maxInlineBinaryBytes)
    {
        using var output = new MemoryStream();
        DicomJsonWriter.Write(output, dataset, RetrieveBulkData.Locator("", maxInlineBinaryBytes));
        var json = output.ToArray();
        // "BulkDataURI" is only ever a property name the writer puts there (DICOM values are JSON values, never names).
        var offsets = new List<int>();
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("BulkDataURI"u8) && reader.Read())
            {
                offsets.Add(checked((int)reader.TokenStartIndex) + 1); // just after the opening quote
            }
        }
        return new InstanceMetadata(json, [.. offsets], maxInlineBinaryBytes);
    }

    /// <summary>The JSON with <paramref name="instanceUrl"/> in front of each BulkDataURI, escaped as the writer escapes text.</summary>
    public void WriteTo(Stream output, string instanceUrl)
    {
        ArgumentNullException.ThrowIfNull(output);
        var url = JsonEncodedText.Encode(instanceUrl, Encoder).EncodedUtf8Bytes;
        var at = 0;
        foreach (var offset in UrlOffsets)
        {
            output.Write(Json, at, offset - at);
            output.Write(url);
            at = offset;
        }
        output.Write(Json, at, Json.Length - at);
    }
}

/// <summary>
/// Where each frame's stored bytes lie in the instance's file: per frame the number of byte ranges, then each range's
/// offset and length (a native frame is one range of the Pixel Data value; an encapsulated frame is its fragments, as
/// the Basic or Extended Offset Table or the fragments' markers group them). A frame request then reads only those bytes.
/// </summary>
public sealed record FrameRanges(long[] Values)
{
    public int Count
    {
        get
        {
            var count = 0;
            for (var at = 0; at < Values.Length; at += 1 + 2 * (int)Values[at])
            {
                count++;
            }
            return count;
        }
    }

    /// <summary>The stored bytes of frame <paramref name="number"/> (1-based) from the instance's bytes.</summary>
    public async Task<byte[]> ReadAsync(Stream instance, int number, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var at = 0;
        for (var frame = 1; frame < number; frame++)
        {
            at += 1 + 2 * (int)Values[at];
        }
        var ranges = (int)Values[at];
        long total = 0;
        for (var i = 0; i < ranges; i++)
        {
            total += Values[at + 2 + 2 * i];
        }
        var bytes = new byte[total];
        var done = 0;
        for (var i = 0; i < ranges; i++)
        {
            var length = (int)Values[at + 2 + 2 * i];
            instance.Position = Values[at + 1 + 2 * i];
            await instance.ReadExactlyAsync(bytes.AsMemory(done, length), cancellationToken);
            done += length;
        }
        return bytes;
    }

    /// <summary>
    /// The ranges of a parsed instance's frames in the file at <paramref name="path"/>, or null where frames are still
    /// read by parsing the instance: no pixel data, an Image Pixel module or fragments the decoder refuses, a frame beyond
    /// the value, big endian or deflated files (their bytes are not the frames'), 1-bit frames (which start mid-byte), or
    /// more than <see cref="ArchiveOptions.MaxIndexedFrameRanges"/> ranges.
    /// </summary>
    public static FrameRanges? Locate(DicomFile file, string path, ArchiveOptions options)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(options);
        var syntax = file.TransferSyntax;
        if (!file.Dataset.Contains(DicomTags.PixelData) || syntax.IsDeflated || syntax.IsBigEndian)
        {
            return null;
        }
        try
        {
            var format = DicomPixelData.From(file).Format;
            if (format.NumberOfFrames > options.MaxIndexedFrameRanges)
            {
                return null;
            }
            // Values under the reader's lazy threshold are read into memory and lose their place in the file; a pass that
            // leaves every value in the file reads only the headers and says where each value is.
            var located = DicomFile.Open(path, options.ReaderOptions with { LazyValueThreshold = 1 }).Dataset;
            var values = new List<long>();
            switch (located.Find(DicomTags.PixelData))
            {
                case DicomValueElement { Buffer: FileBuffer value } when !syntax.IsEncapsulated && format.BitsAllocated % 8 == 0:
                    if (format.FrameLength * format.NumberOfFrames > value.Length)
                    {
                        return null;
                    }
                    for (var frame = 0; frame < format.NumberOfFrames; frame++)
                    {
                        values.AddRange([1, value.Offset + format.FrameLength * frame, format.FrameLength]);
                    }
                    break;
                case DicomFragmentSequence fragments when syntax.IsEncapsulated:
                    var extended = located.Contains(DicomTags.ExtendedOffsetTable) ? located.GetValues<ulong>(DicomTags.ExtendedOffsetTable) : null;
                    var frames = fragments.GetFrameFragments(format.NumberOfFrames, extended);
                    if (frames.Sum(frame => frame.Count) > options.MaxIndexedFrameRanges)
                    {
                        return null;
                    }
                    foreach (var frame in frames)
                    {
                        values.Add(frame.Count);
                        foreach (var fragment in frame)
                        {
                            if (fragment is not FileBuffer stored)
                            {
                                return null; // an empty fragment: no place in the file
                            }
                            values.AddRange([stored.Offset, stored.Length]);
                        }
                    }
                    break;
                default:
                    return null;
            }
            return new FrameRanges([.. values]);
        }
        catch (Exception exception) when (exception is DicomFormatException or PixelDataException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }
}
