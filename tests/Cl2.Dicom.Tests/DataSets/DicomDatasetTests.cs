using Cl2.Dicom;

namespace Cl2.Dicom.Tests.DataSets;

public sealed class DicomDatasetTests
{
    [Fact]
    public void typed_values_read_back_as_they_were_set()
    {
        var dataset = new DicomDataset()
            .SetStrings(DicomTags.ImageType, "ORIGINAL", "PRIMARY", "AXIAL")
            .SetValues(DicomTags.PixelSpacing, 0.5, 0.75)
            .SetValues(DicomTags.Rows, (ushort)512)
            .SetValues(DicomTags.InstanceNumber, 7)
            .SetDate(DicomTags.StudyDate, new DateOnly(2026, 11, 27))
            .SetTime(DicomTags.StudyTime, new TimeOnly(7, 27, 31, 250))
            .SetDateTime(DicomTags.AcquisitionDateTime, new DateTimeOffset(2026, 11, 27, 7, 27, 31, TimeSpan.FromHours(1)))
            .SetPersonName(DicomTags.PatientName, DicomPersonName.FromComponents("Doe", "Jane", prefix: "Dr"))
            .SetUid(DicomTags.SOPClassUID, DicomUids.CTImageStorage)
            .SetValues(DicomTags.FrameIncrementPointer, DicomTags.FrameTime);

        Assert.Equal(["ORIGINAL", "PRIMARY", "AXIAL"], dataset.GetStrings(DicomTags.ImageType));
        Assert.Equal("ORIGINAL\\PRIMARY\\AXIAL", dataset.GetString(DicomTags.ImageType));
        Assert.Equal([0.5, 0.75], dataset.GetValues<double>(DicomTags.PixelSpacing));
        Assert.Equal(512, dataset.GetValue<int>(DicomTags.Rows));
        Assert.Equal(7, dataset.GetValue<int>(DicomTags.InstanceNumber));
        Assert.Equal(new DateOnly(2026, 11, 27), dataset.GetDate(DicomTags.StudyDate));
        Assert.Equal(new TimeOnly(7, 27, 31, 250), dataset.GetTime(DicomTags.StudyTime));
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 7, 27, 31, TimeSpan.FromHours(1)), dataset.GetDateTime(DicomTags.AcquisitionDateTime));
        Assert.Equal("Jane", dataset.GetPersonName(DicomTags.PatientName).GivenName);
        Assert.Equal("Doe^Jane^^Dr", dataset.GetString(DicomTags.PatientName));
        Assert.Equal(DicomUids.CTImageStorage.Value, dataset.GetString(DicomTags.SOPClassUID));
        Assert.Equal(DicomTags.FrameTime, dataset.GetValue<DicomTag>(DicomTags.FrameIncrementPointer));
        Assert.Equal(DicomVR.UI, dataset.GetElement(DicomTags.SOPClassUID).VR);
        Assert.Equal(0, dataset.GetElement(DicomTags.SOPClassUID) is DicomValueElement { Length: var n } ? n % 2 : -1);
    }

    [Fact]
    public void missing_or_unconvertible_values_are_reported_not_invented()
    {
        var dataset = new DicomDataset().SetString(DicomTags.InstanceNumber, "seven");

        Assert.False(dataset.TryGetValue<int>(DicomTags.InstanceNumber, out _));
        Assert.False(dataset.TryGetString(DicomTags.PatientID, out _));
        Assert.Equal(-1, dataset.GetValueOrDefault(DicomTags.Rows, -1));
        Assert.Throws<KeyNotFoundException>(() => dataset.GetString(DicomTags.PatientID));
        Assert.Throws<FormatException>(() => dataset.GetValue<int>(DicomTags.InstanceNumber));
    }

    [Fact]
    public void private_elements_are_found_through_their_creator_whatever_block_it_reserved()
    {
        var dataset = new DicomDataset().SetString(new DicomTag(0x0029, 0x0010), DicomVR.LO, "OTHER VENDOR");

        var tag = dataset.ReservePrivateTag(0x0029, "CL2 TEST", 0x01);
        dataset.SetString(tag, DicomVR.LO, "hello");

        Assert.Equal(new DicomTag(0x0029, 0x1101), tag);
        Assert.True(dataset.TryGetPrivateTag(0x0029, "CL2 TEST", 0x01, out var found));
        Assert.Equal(tag, found);
        Assert.Equal("CL2 TEST", dataset.GetPrivateCreator(tag));
        Assert.Equal("hello", dataset.GetString(found));
        Assert.Throws<ArgumentException>(() => dataset.SetString(new DicomTag(0x0029, 0x1102), "no VR known"));
    }

    [Fact]
    public void private_elements_in_implicit_vr_get_their_vr_from_the_private_dictionary_through_their_creator()
    {
        var dataset = new DicomDataset().SetString(new DicomTag(0x0019, 0x0010), DicomVR.LO, "1.2.840.113681");
        dataset.SetString(new DicomTag(0x0019, 0x1010), DicomVR.ST, "common parameters");
        dataset.SetString(new DicomTag(0x0019, 0x0011), DicomVR.LO, "UNKNOWN CREATOR");
        dataset.SetBytes(new DicomTag(0x0019, 0x1110), DicomVR.OB, new byte[] { 1, 2 });
        using var stream = new MemoryStream();
        new DicomFile(new DicomDataset(), dataset, DicomTransferSyntax.ImplicitVRLittleEndian).Save(stream);
        stream.Position = 0;

        var reread = DicomFile.Open(stream).Dataset;

        Assert.Equal(DicomVR.ST, reread.GetElement(new DicomTag(0x0019, 0x1010)).VR);
        Assert.Equal("common parameters", reread.GetString(new DicomTag(0x0019, 0x1010)));
        Assert.Equal(DicomVR.UN, reread.GetElement(new DicomTag(0x0019, 0x1110)).VR);
        Assert.Equal("1.2.840.113681", reread.GetPrivateCreator(new DicomTag(0x0019, 0x1010)));
    }

    [Fact]
    public void the_dictionary_holds_the_whole_registry_with_repeating_groups_and_retired_entries()
    {
        Assert.True(DicomDictionary.Entries.Count > 4900);
        Assert.Equal(DicomVR.PN, DicomDictionary.Find(DicomTags.PatientName)!.DefaultVR);
        Assert.Equal("OverlayData", DicomDictionary.Find(new DicomTag(0x6002, 0x3000))!.Keyword);
        Assert.Null(DicomDictionary.Find(new DicomTag(0x6001, 0x3000)));
        Assert.True(DicomDictionary.Find(new DicomTag(0x0008, 0x0010))!.IsRetired);
        Assert.Equal(DicomTags.PatientName, DicomDictionary.Find("PatientName")!.Tag);
        Assert.Equal(DicomVR.UL, DicomDictionary.ImplicitVR(new DicomTag(0x0009, 0x0000)));
        Assert.Equal(DicomVR.LO, DicomDictionary.ImplicitVR(new DicomTag(0x0029, 0x0011)));
        Assert.Equal(["US", "SS"], DicomDictionary.Find(DicomTags.SmallestImagePixelValue)!.ValueRepresentations.Select(v => v.Code));
        Assert.Equal(34, DicomVR.All.Count);
        Assert.True(DicomVR.TryParse("OV", out _) && DicomVR.TryParse("SV", out _) && DicomVR.TryParse("UV", out _) && DicomVR.TryParse("UR", out _) && DicomVR.TryParse("UC", out _));
    }

    [Fact]
    public void the_uid_registry_knows_transfer_syntaxes_and_sop_classes()
    {
        Assert.Equal(DicomUidType.TransferSyntax, DicomUids.Find("1.2.840.10008.1.2.4.50")!.Type);
        Assert.Equal(DicomUidType.SopClass, DicomUids.Find("1.2.840.10008.5.1.4.1.1.2")!.Type);
        Assert.True(DicomUids.ExplicitVRBigEndian.IsRetired);
        Assert.True(DicomUids.All.Count(u => u.Type == DicomUidType.TransferSyntax) >= 30);
        Assert.True(DicomTransferSyntax.Lookup("1.2.840.10008.1.2.4.90").IsEncapsulated);
        Assert.False(DicomTransferSyntax.Lookup("1.2.840.10008.1.2").IsExplicitVR);
    }
}
