using System.Buffers.Binary;
using Cl2.Dicom;
using Cl2.Dicom.Imaging;
using Cl2.Dicom.Tools;

namespace Cl2.Dicom.Tests.Imaging;

/// <summary>
/// Every compressed file of the pydicom corpus, decoded by us, against the same file decompressed by the reference
/// decoders: DCMTK's dcmdrle and dcmdjpeg (libjpeg), GDCM's gdcmconv --raw (OpenJPEG, CharLS). Lossless syntaxes must
/// agree exactly, lossy JPEG within ±1 (two IDCT implementations). Anything else must be listed in
/// <see cref="Exceptions"/> with the reason. Our side is what `./cl2 dicom pixels` writes, checked against the library's frame.
/// </summary>
public sealed class CompressedCorpusTests
{
    private sealed record Exception(string Reason, bool NeitherDecodes = false, int MaximumDifference = 0);

    /// <summary>The files judged differently from the rule, and why. A file not listed here follows the rule.</summary>
    private static readonly Dictionary<string, Exception> Exceptions = new(StringComparer.Ordinal)
    {
        ["JPEG2000-embedded-sequence-delimiter.dcm"] = new(
            "pydicom's README: a copy of JPEG2000.dcm with 4 codestream bytes (in the SIZ marker) overwritten by FFFE,E0DD, " +
            "to test that a reader takes the fragment's length and not that pattern as its end. The DICOM structure is " +
            "valid, the codestream is not: gdcmconv (through OpenJPEG) refuses it with 'Invalid number of tiles', we before " +
            "OpenJPEG because its SIZ declares an image wider than the data set's Columns.",
            NeitherDecodes: true),
    };

    private static readonly Dictionary<string, string> DcmtkEnvironment = new() { ["TCP_NODELAY"] = "1" };

    public static TheoryData<string> Files() => new(Corpus.CompressedFiles());

    [Theory]
    [MemberData(nameof(Files))]
    public async Task decoded_pixels_equal_the_reference_decoder(string file)
    {
        var ours = Corpus.PixelDataOf(Corpus.File(file));
        var exception = Exceptions.GetValueOrDefault(file);
        var lossyJpeg = ours.TransferSyntax.Uid == DicomUids.JPEGBaseline8Bit.Value || ours.TransferSyntax.Uid == DicomUids.JPEGExtended12Bit.Value;
        var tolerance = exception?.MaximumDifference ?? (lossyJpeg ? 1 : 0);

        var directory = Directory.CreateTempSubdirectory("cl2-pixels-");
        try
        {
            if (exception is { NeitherDecodes: true })
            {
                var refusal = Assert.Throws<PixelDataException>(() => ours.DecodeFrame(0));
                Assert.Contains("JPEG 2000 SIZ declares 3722445056x1024", refusal.Message, StringComparison.Ordinal);
                await Assert.ThrowsAsync<InvalidOperationException>(() => DecompressWithPeer(Corpus.File(file), ours.TransferSyntax.Uid, directory.FullName));
                return;
            }
            var reference = DicomPixelData.From(DicomFile.Open(
                await DecompressWithPeer(Corpus.File(file), ours.TransferSyntax.Uid, directory.FullName)));
            Assert.Equal(reference.NumberOfFrames, ours.NumberOfFrames);
            for (var index = 0; index < ours.NumberOfFrames; index++)
            {
                var decoded = ours.DecodeFrame(index);
                Assert.Equal(decoded.Data.ToArray(), PixelsCommandOutput(file, index, directory.FullName));
                var expected = reference.DecodeFrame(index);
                AssertSameSamples(file, index, expected, decoded, tolerance);
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task every_compressed_file_of_the_corpus_is_compared_and_every_exception_names_one()
    {
        var compared = Corpus.CompressedFiles().ToHashSet(StringComparer.Ordinal);
        // One dcmdump over the whole corpus; +F heads each file's output with its name.
        var dump = await ProcessRunner.RunAsync("dcmdump", ["-q", "+F", "+P", "7fe0,0010", .. Corpus.TestFiles().Select(Corpus.File)],
            environment: DcmtkEnvironment);
        var compressedForDcmtk = new List<string>();
        var current = "";
        foreach (var line in dump.Output.Split('\n'))
        {
            if (line.StartsWith("# dcmdump (", StringComparison.Ordinal))
            {
                current = Path.GetRelativePath(Corpus.Folder, line[(line.IndexOf("): ", StringComparison.Ordinal) + 3)..].Trim());
            }
            else if (line.StartsWith("(7fe0,0010) OB (PixelSequence", StringComparison.Ordinal))
            {
                compressedForDcmtk.Add(current);
            }
        }

        Assert.True(compressedForDcmtk.Count >= 25, $"dcmdump found only {compressedForDcmtk.Count} files with encapsulated pixel data");
        Assert.Equal([], compressedForDcmtk.Where(file => !compared.Contains(file)).ToArray());
        Assert.Equal([], Exceptions.Keys.Where(file => !compared.Contains(file)).ToArray());
    }

    private static byte[] PixelsCommandOutput(string file, int index, string directory)
    {
        var output = Path.Combine(directory, $"frame{index + 1}.raw");
        using var standardOutput = new StringWriter();
        using var standardError = new StringWriter();
        var code = DicomTool.Run(["pixels", Corpus.File(file), "--frame", $"{index + 1}", "--out", output], standardOutput, standardError);
        Assert.True(code == DicomTool.Success, $"pixels {file} --frame {index + 1}: {standardError}");
        return File.ReadAllBytes(output);
    }

    private static async Task<string> DecompressWithPeer(string path, string transferSyntaxUid, string directory)
    {
        var output = Path.Combine(directory, "reference.dcm");
        ProcessResult result;
        if (transferSyntaxUid == DicomUids.RLELossless.Value)
        {
            result = await ProcessRunner.RunAsync("dcmdrle", [path, output], environment: DcmtkEnvironment);
        }
        else if (transferSyntaxUid.StartsWith("1.2.840.10008.1.2.4.5", StringComparison.Ordinal) || transferSyntaxUid.StartsWith("1.2.840.10008.1.2.4.7", StringComparison.Ordinal))
        {
            result = await ProcessRunner.RunAsync("dcmdjpeg", [path, output], environment: DcmtkEnvironment);
        }
        else
        {
            result = await ProcessRunner.RunAsync("gdcmconv", ["--raw", path, output]);
        }
        result.EnsureSuccess($"decompressing {Path.GetFileName(path)}");
        return output;
    }

    private static void AssertSameSamples(string file, int index, PixelFrame expected, PixelFrame actual, int tolerance)
    {
        var (e, a) = (expected.Format, actual.Format);
        Assert.Equal((e.Rows, e.Columns, e.SamplesPerPixel, e.BitsAllocated, e.PhotometricInterpretation),
            (a.Rows, a.Columns, a.SamplesPerPixel, a.BitsAllocated, a.PhotometricInterpretation));
        var reference = expected.Data.Span;
        var ours = actual.Data.Span;
        var bytesPerSample = e.BitsAllocated / 8;
        var worst = 0L;
        var worstAt = -1;
        for (var sample = 0; sample < expected.SampleCount; sample++)
        {
            var difference = Math.Abs(Container(reference, sample, bytesPerSample) - Container(ours, sample, bytesPerSample));
            if (difference > worst)
            {
                (worst, worstAt) = (difference, sample);
            }
        }
        Assert.True(worst <= tolerance,
            $"{file} frame {index}: sample {worstAt} differs by {worst} from the reference decoder (tolerance {tolerance})");
    }

    private static long Container(ReadOnlySpan<byte> data, int sample, int bytesPerSample) => bytesPerSample switch
    {
        1 => data[sample],
        2 => BinaryPrimitives.ReadUInt16LittleEndian(data[(sample * 2)..]),
        _ => BinaryPrimitives.ReadUInt32LittleEndian(data[(sample * 4)..]),
    };
}
