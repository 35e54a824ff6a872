using System.Buffers.Binary;

namespace Cl2.Dicom.Imaging;

/// <summary>
/// RLE Lossless, PS3.5 Annex G: a 64-byte header of up to 15 segment offsets, then one PackBits segment per byte plane,
/// sample by sample, most significant byte first. Decoded frames are colour-by-pixel (Planar Configuration 0).
/// </summary>
public sealed class RleCodec : IPixelDataEncoder
{
    private const int HeaderLength = 64;
    private const int MaximumSegments = 15;

    public IReadOnlyList<string> TransferSyntaxUids { get; } = [DicomUids.RLELossless.Value];

    public PixelFrame Decode(ReadOnlySpan<byte> frame, ImagePixelModule format)
    {
        ArgumentNullException.ThrowIfNull(format);
        format.Validate();
        if (format.BitsAllocated % 8 != 0)
        {
            throw new PixelDataException($"RLE Lossless cannot hold {format.BitsAllocated}-bit samples");
        }
        if (frame.Length < HeaderLength)
        {
            throw new PixelDataException($"RLE frame of {frame.Length} bytes is shorter than its {HeaderLength}-byte header (PS3.5 §G.5)");
        }
        var bytesPerSample = format.BitsAllocated / 8;
        var expected = format.SamplesPerPixel * bytesPerSample;
        var segments = BinaryPrimitives.ReadInt32LittleEndian(frame);
        if (segments != expected)
        {
            throw new PixelDataException($"RLE header declares {segments} segments, {expected} expected for {format.SamplesPerPixel} samples of {format.BitsAllocated} bits");
        }
        var pixels = format.PixelCount;
        var output = new byte[checked(pixels * expected)];
        var plane = new byte[pixels];
        for (var segment = 0; segment < segments; segment++)
        {
            var start = BinaryPrimitives.ReadInt32LittleEndian(frame[(4 + (4 * segment))..]);
            var end = segment + 1 < segments ? BinaryPrimitives.ReadInt32LittleEndian(frame[(8 + (4 * segment))..]) : frame.Length;
            if (start < HeaderLength || end > frame.Length || end < start)
            {
                throw new PixelDataException($"RLE segment {segment + 1} spans bytes {start}..{end} outside the frame of {frame.Length} bytes");
            }
            DecodeSegment(frame[start..end], plane, segment);
            var sample = segment / bytesPerSample;
            // Segment 0 of a sample is its most significant byte; little endian puts that byte last.
            var byteInSample = bytesPerSample - 1 - (segment % bytesPerSample);
            for (int pixel = 0, target = (sample * bytesPerSample) + byteInSample; pixel < pixels; pixel++, target += expected)
            {
                output[target] = plane[pixel];
            }
        }
        return new PixelFrame(SampleBuffer.Interleaved(format, format.PhotometricInterpretation), output);
    }

    private static void DecodeSegment(ReadOnlySpan<byte> segment, Span<byte> plane, int index)
    {
        int read = 0, written = 0;
        while (written < plane.Length)
        {
            if (read >= segment.Length)
            {
                throw new PixelDataException($"RLE segment {index + 1} ends after {written} of {plane.Length} bytes");
            }
            var header = (sbyte)segment[read++];
            if (header >= 0)
            {
                var count = header + 1;
                if (read + count > segment.Length || written + count > plane.Length)
                {
                    throw new PixelDataException($"RLE segment {index + 1}: literal run of {count} at byte {read - 1} overruns the segment or the frame");
                }
                segment.Slice(read, count).CopyTo(plane[written..]);
                read += count;
                written += count;
            }
            else if (header != -128)
            {
                var count = 1 - header;
                if (read >= segment.Length || written + count > plane.Length)
                {
                    throw new PixelDataException($"RLE segment {index + 1}: replicate run of {count} at byte {read - 1} overruns the segment or the frame");
                }
                plane.Slice(written, count).Fill(segment[read++]);
                written += count;
            }
        }
    }

    public byte[] Encode(PixelFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var format = frame.Format;
        if (format.BitsAllocated % 8 != 0 || format.SamplesPerPixel * format.BitsAllocated / 8 > MaximumSegments)
        {
            throw new PixelDataException($"RLE Lossless holds at most {MaximumSegments} byte planes; {format.SamplesPerPixel} samples of {format.BitsAllocated} bits do not fit");
        }
        var bytesPerSample = format.BitsAllocated / 8;
        var stride = format.SamplesPerPixel * bytesPerSample;
        var segments = stride;
        var data = frame.Data.Span;
        using var output = new MemoryStream();
        output.Write(new byte[HeaderLength]);
        var header = new byte[HeaderLength];
        BinaryPrimitives.WriteInt32LittleEndian(header, segments);
        var row = new byte[format.Columns];
        for (var segment = 0; segment < segments; segment++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4 + (4 * segment)), checked((int)output.Position));
            var sample = segment / bytesPerSample;
            var byteInSample = bytesPerSample - 1 - (segment % bytesPerSample);
            for (var y = 0; y < format.Rows; y++)
            {
                for (var x = 0; x < format.Columns; x++)
                {
                    var pixel = (y * format.Columns) + x;
                    // A colour-by-plane frame keeps each sample's plane contiguous (PS3.3 §C.7.6.3.1.3).
                    var offset = format.PlanarConfiguration == 1
                        ? (((sample * format.PixelCount) + pixel) * bytesPerSample) + byteInSample
                        : (pixel * stride) + (sample * bytesPerSample) + byteInSample;
                    row[x] = data[offset];
                }
                // Each row is encoded on its own so that a run never crosses a row (PS3.5 §G.3.1).
                PackBits(row, output);
            }
            if (output.Length % 2 == 1)
            {
                output.WriteByte(0);
            }
        }
        var encoded = output.ToArray();
        header.CopyTo(encoded, 0);
        return encoded;
    }

    private static void PackBits(ReadOnlySpan<byte> row, MemoryStream output)
    {
        var i = 0;
        while (i < row.Length)
        {
            var run = 1;
            while (i + run < row.Length && run < 128 && row[i + run] == row[i])
            {
                run++;
            }
            if (run >= 2)
            {
                output.WriteByte((byte)(sbyte)(1 - run));
                output.WriteByte(row[i]);
                i += run;
                continue;
            }
            // A literal run ends where a repeat of two or more starts, or at 128 bytes.
            var literal = 1;
            while (i + literal < row.Length && literal < 128 &&
                   !(i + literal + 1 < row.Length && row[i + literal] == row[i + literal + 1]))
            {
                literal++;
            }
            output.WriteByte((byte)(literal - 1));
            output.Write(row.Slice(i, literal));
            i += literal;
        }
    }
}
