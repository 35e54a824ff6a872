using System.Buffers.Binary;
using Cl2.Dicom;

namespace Cl2.Dicom.Tests.DataSets;

public sealed class LazyLoadingTests
{
    [Fact]
    public void reading_the_header_of_a_one_gigabyte_multiframe_file_leaves_the_pixel_data_in_the_file()
    {
        const long pixelBytes = 1L << 30;
        var path = Path.Combine(Directory.CreateTempSubdirectory("cl2-lazy-").FullName, "large.dcm");
        try
        {
            var header = new DicomDataset()
                .SetUid(DicomTags.SOPClassUID, DicomUids.MultiFrameGrayscaleWordSecondaryCaptureImageStorage)
                .SetUid(DicomTags.SOPInstanceUID, "1.2.826.0.1.3680043.2.1125.1")
                .SetValues(DicomTags.Rows, (ushort)512)
                .SetValues(DicomTags.Columns, (ushort)1024)
                .SetValues(DicomTags.BitsAllocated, (ushort)16)
                .SetString(DicomTags.NumberOfFrames, "1024");
            using (var stream = File.Create(path))
            {
                new DicomFile(new DicomDataset(), header, DicomTransferSyntax.ExplicitVRLittleEndian).Save(stream);
                Span<byte> pixelHeader = stackalloc byte[12];
                BinaryPrimitives.WriteUInt16LittleEndian(pixelHeader, 0x7FE0);
                BinaryPrimitives.WriteUInt16LittleEndian(pixelHeader[2..], 0x0010);
                "OW"u8.CopyTo(pixelHeader[4..]);
                BinaryPrimitives.WriteUInt32LittleEndian(pixelHeader[8..], (uint)pixelBytes);
                stream.Write(pixelHeader);
                var last = stream.Position + pixelBytes - 2;
                stream.SetLength(stream.Position + pixelBytes); // sparse: the gigabyte is never written or allocated
                stream.Position = last;
                stream.Write([0x34, 0x12]);
            }
            var before = GC.GetAllocatedBytesForCurrentThread();

            var file = DicomFile.Open(path);

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            var pixels = Assert.IsType<DicomValueElement>(file.Dataset.GetElement(DicomTags.PixelData));
            Assert.False(pixels.Buffer.IsLoaded);
            Assert.Equal(pixelBytes, pixels.Length);
            Assert.True(allocated < 4 << 20, $"opening allocated {allocated} bytes");
            var lastFrame = new byte[512 * 1024 * 2];
            pixels.Buffer.Read(pixelBytes - lastFrame.Length, lastFrame);
            Assert.Equal(0x1234, BinaryPrimitives.ReadUInt16LittleEndian(lastFrame.AsSpan(lastFrame.Length - 2)));
            Assert.Equal(1024, file.Dataset.GetValue<int>(DicomTags.NumberOfFrames));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void big_endian_values_left_in_the_file_are_swapped_when_read()
    {
        var inMemory = DicomFile.Open(new MemoryStream(File.ReadAllBytes(Corpus.DataFile("test_files/MR_small_bigendian.dcm"))));
        var lazy = DicomFile.Open(Corpus.DataFile("test_files/MR_small_bigendian.dcm"), new DicomReaderOptions { LazyValueThreshold = 1024 });

        var lazyPixels = Assert.IsType<DicomValueElement>(lazy.Dataset.GetElement(DicomTags.PixelData));
        Assert.False(lazyPixels.Buffer.IsLoaded);
        Assert.Equal(inMemory.Dataset.GetValues<ushort>(DicomTags.PixelData), lazy.Dataset.GetValues<ushort>(DicomTags.PixelData));
    }
}
