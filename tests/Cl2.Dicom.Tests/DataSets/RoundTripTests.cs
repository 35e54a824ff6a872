using Cl2.Dicom;

namespace Cl2.Dicom.Tests.DataSets;

public sealed class RoundTripTests
{
    [Fact]
    public async Task every_corpus_file_written_in_explicit_little_endian_is_read_by_dcmdump_and_reads_back_equal()
    {
        var directory = Directory.CreateTempSubdirectory("cl2-roundtrip-").FullName;
        try
        {
            var results = await Corpus.InParallelAsync(Corpus.DataFiles(), async relative =>
            {
                DicomFile original;
                try
                {
                    original = DicomFile.Open(Corpus.DataFile(relative));
                }
                catch (DicomFormatException)
                {
                    return (Written: false, Problems: new List<string>()); // rejected files are another test's business
                }
                // Encapsulated pixel data stays in its own syntax: converting it needs a codec.
                var syntax = original.TransferSyntax.IsEncapsulated ? original.TransferSyntax : DicomTransferSyntax.ExplicitVRLittleEndian;
                var copy = Path.Combine(directory, relative.Replace('/', '_'));
                original.Save(copy, syntax);
                var problems = new List<string>();
                var dump = await Dcmtk.RunAsync("dcmdump", ["-q", copy]);
                if (dump.ExitCode != 0 || dump.Error.Contains("E: ", StringComparison.Ordinal))
                {
                    problems.Add($"{relative}: dcmdump rejects our copy: {dump.Error}");
                }
                var reread = DicomFile.Open(copy);
                problems.AddRange(DicomDatasetAssert.Differences(original.Dataset, reread.Dataset).Select(d => $"{relative}: {d}"));
                if (reread.TransferSyntax.Uid != syntax.Uid)
                {
                    problems.Add($"{relative}: written as {syntax.Uid} but reads as {reread.TransferSyntax.Uid}");
                }
                return (Written: true, Problems: problems);
            });
            Assert.True(results.Count(r => r.Written) > 100);
            var problems = results.SelectMany(r => r.Problems).ToList();
            Assert.True(problems.Count == 0, string.Join('\n', problems));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("test_files/CT_small.dcm")]
    [InlineData("test_files/MR_small_bigendian.dcm")]
    [InlineData("test_files/image_dfl.dcm")]
    [InlineData("test_files/rtplan.dcm")]
    [InlineData("test_files/UN_sequence.dcm")]
    public async Task a_file_converted_to_each_uncompressed_syntax_reads_back_equal_and_dcmtk_agrees(string relative)
    {
        var original = DicomFile.Open(Corpus.DataFile(relative));
        var directory = Directory.CreateTempSubdirectory("cl2-convert-").FullName;
        try
        {
            foreach (var syntax in DicomTransferSyntax.Native)
            {
                var copy = Path.Combine(directory, syntax.Uid + ".dcm");
                original.Save(copy, syntax);
                var reread = DicomFile.Open(copy);
                Assert.Equal(syntax.Uid, reread.TransferSyntax.Uid);
                Assert.Empty(DicomDatasetAssert.Differences(original.Dataset, reread.Dataset));
                var theirs = await Dcmtk.RunAsync("dcm2json", [copy]);
                var source = await Dcmtk.RunAsync("dcm2json", [Corpus.DataFile(relative)]);
                Assert.Equal(0, theirs.ExitCode);
                // Implicit VR has no VR to say OB, so Pixel Data reads back as OW there (PS3.5 §A.1); the bytes stay the same.
                var differences = DicomJsonComparison.Compare(System.Text.Json.Nodes.JsonNode.Parse(theirs.Output), System.Text.Json.Nodes.JsonNode.Parse(source.Output));
                Assert.DoesNotContain(differences, d => !(syntax == DicomTransferSyntax.ImplicitVRLittleEndian && d.StartsWith("/7FE00010/vr", StringComparison.Ordinal)));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void a_built_dataset_survives_writing_and_reading_in_every_uncompressed_syntax()
    {
        var dataset = new DicomDataset()
            .SetUid(DicomTags.SOPClassUID, DicomUids.SecondaryCaptureImageStorage)
            .SetUid(DicomTags.SOPInstanceUID, "1.2.3.4.5")
            .SetPersonName(DicomTags.PatientName, DicomPersonName.FromComponents("Doe", "Jane"))
            .SetValues(DicomTags.Rows, (ushort)2)
            .SetValues(DicomTags.ImagePositionPatient, 1.5, -2.25, 3.0)
            .SetValues(DicomTags.RealWorldValueLUTData, 1.0, 2.0)
            .SetBytes(DicomTags.PixelData, DicomVR.OW, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
        dataset.Add(new DicomSequence(DicomTags.ReferencedImageSequence,
            [new DicomDataset().SetUid(DicomTags.ReferencedSOPInstanceUID, "1.2.3").SetValues(DicomTags.ReferencedFrameNumber, 1, 2)]));
        var file = new DicomFile(new DicomDataset(), dataset, DicomTransferSyntax.ExplicitVRLittleEndian);
        foreach (var syntax in DicomTransferSyntax.Native)
        {
            using var stream = new MemoryStream();
            file.Save(stream, syntax);
            stream.Position = 0;
            var reread = DicomFile.Open(stream);
            Assert.Empty(DicomDatasetAssert.Differences(dataset, reread.Dataset));
            Assert.Equal([1.5, -2.25, 3.0], reread.Dataset.GetValues<double>(DicomTags.ImagePositionPatient));
            Assert.Equal((ushort)0x0201, reread.Dataset.GetValue<ushort>(DicomTags.PixelData));
        }
    }
}
