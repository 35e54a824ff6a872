using Cl2.Dicom.Network.Client;

namespace Cl2.Dicom.Tests.DataSets;

/// <summary>The one File Meta Information reader and writer (PS3.10 §7.1) that files, the SCU and the listener share.</summary>
public sealed class FileMetaInformationTests
{
    [Fact]
    public void files_and_associations_name_one_implementation()
    {
        var meta = DicomFileMetaInformation.Create("1.2.840.10008.5.1.4.1.1.2", "1.2.3.4.5", "1.2.840.10008.1.2.1");
        var network = new Cl2.Dicom.Network.DicomNetworkOptions();

        Assert.Equal(meta.GetString(DicomTags.ImplementationClassUID), network.ImplementationClassUid);
        Assert.Equal(meta.GetString(DicomTags.ImplementationVersionName), network.ImplementationVersionName);
    }

    [Fact]
    public void the_meta_group_of_a_data_set_keeps_the_bytes_stored_instances_are_addressed_by()
    {
        // The listener's content address is the SHA-256 of these bytes followed by the data set, and forwarding rebuilds
        // them from the UIDs: a change here would orphan every stored instance. UIDs of odd length get a NUL pad, the
        // version name a space (PS3.5 §6.2).
        const string expected =
            "02000000554c0400a6000000020001004f4200000200000000010200020055491a00312e322e3834302e31303030382e352e312e342e312e312e3200" +
            "0200030055490a00312e322e332e342e35000200100055491400312e322e3834302e31303030382e312e322e31000200120055492c00322e32352e32" +
            "34333532393136373432393731363339313932363534383936313332363437333732353536310200130053480c00434c325f4449434f4d5f3120";

        var bytes = DicomFileMetaInformation.ToBytes(DicomFileMetaInformation.Create("1.2.840.10008.5.1.4.1.1.2", "1.2.3.4.5", "1.2.840.10008.1.2.1"));

        Assert.Equal(new byte[DicomFileMetaInformation.PreambleLength], bytes[..DicomFileMetaInformation.PreambleLength]);
        Assert.Equal("DICM"u8.ToArray(), bytes[DicomFileMetaInformation.PreambleLength..DicomFileMetaInformation.MetaGroupOffset]);
        Assert.Equal(expected, Convert.ToHexStringLower(bytes[DicomFileMetaInformation.MetaGroupOffset..]));
    }

    [Fact]
    public async Task the_scu_header_reads_what_the_file_writer_wrote()
    {
        var dataset = new DicomDataset()
            .SetUid(DicomTags.SOPClassUID, DicomUids.SecondaryCaptureImageStorage)
            .SetUid(DicomTags.SOPInstanceUID, "1.2.3.4.6")
            .SetString(DicomTags.PatientID, "P1");
        using var stream = new MemoryStream();
        new DicomFile(new DicomDataset(), dataset, DicomTransferSyntax.ExplicitVRLittleEndian).Save(stream, DicomTransferSyntax.ExplicitVRBigEndian);
        var length = stream.Length;
        stream.Position = 0;

        var header = await Part10FileHeader.ReadAsync(stream, "written", CancellationToken.None);

        Assert.Equal(DicomUids.SecondaryCaptureImageStorage.Value, header.MediaStorageSopClassUid);
        Assert.Equal("1.2.3.4.6", header.MediaStorageSopInstanceUid);
        Assert.Equal(DicomTransferSyntax.ExplicitVRBigEndian.Uid, header.TransferSyntaxUid);
        stream.Position = header.DataSetOffset;
        var rest = new byte[length - header.DataSetOffset];
        stream.ReadExactly(rest);
        using var written = new MemoryStream();
        DicomWriter.WriteDataset(written, dataset, DicomTransferSyntax.ExplicitVRBigEndian);
        Assert.Equal(written.ToArray(), rest);
    }

    [Fact]
    public async Task the_scu_header_and_the_file_reader_agree_on_every_corpus_file_both_read()
    {
        var compared = 0;
        foreach (var relative in Corpus.DataFiles())
        {
            Part10FileHeader header;
            DicomFile file;
            try
            {
                header = await Part10FileHeader.ReadAsync(Corpus.DataFile(relative), CancellationToken.None);
                file = DicomFile.Open(Corpus.DataFile(relative));
            }
            catch (Exception e) when (e is InvalidDataException or DicomFormatException)
            {
                continue;
            }
            var meta = file.FileMetaInformation;
            Assert.Equal((relative, meta.GetString(DicomTags.MediaStorageSOPClassUID), meta.GetString(DicomTags.MediaStorageSOPInstanceUID),
                meta.GetString(DicomTags.TransferSyntaxUID)),
                (relative, header.MediaStorageSopClassUid, header.MediaStorageSopInstanceUid, header.TransferSyntaxUid));
            Assert.Equal(DicomFileMetaInformation.MetaGroupOffset + 12 + meta.GetValues<uint>(DicomTags.FileMetaInformationGroupLength)[0],
                header.DataSetOffset);
            compared++;
        }
        Assert.True(compared > 100, $"only {compared} corpus files were read by both");
    }

    [Fact]
    public async Task a_meta_group_that_does_not_lead_with_its_group_length_is_refused_naming_the_group_length()
    {
        using var stream = new MemoryStream();
        DicomFileMetaInformation.Write(stream, DicomFileMetaInformation.Create("1.2.3", "1.2.3.4", DicomTransferSyntax.ExplicitVRLittleEndian.Uid));
        var bytes = stream.ToArray();
        // Drop the 12-byte group length element: the group now starts with (0002,0001).
        var headless = bytes[..DicomFileMetaInformation.MetaGroupOffset].Concat(bytes[(DicomFileMetaInformation.MetaGroupOffset + 12)..]).ToArray();

        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            Part10FileHeader.ReadAsync(new MemoryStream(headless), "headless.dcm", CancellationToken.None));

        Assert.Contains("headless.dcm", error.Message, StringComparison.Ordinal);
        Assert.Contains("(0002,0000)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_meta_group_cut_short_is_refused()
    {
        var bytes = DicomFileMetaInformation.ToBytes(DicomFileMetaInformation.Create("1.2.3", "1.2.3.4", DicomTransferSyntax.ExplicitVRLittleEndian.Uid));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            Part10FileHeader.ReadAsync(new MemoryStream(bytes[..^10]), "short.dcm", CancellationToken.None));

        Assert.Contains("ends inside the file meta information", error.Message, StringComparison.Ordinal);
    }
}
