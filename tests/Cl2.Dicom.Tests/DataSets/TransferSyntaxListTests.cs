using Cl2.Dicom.Imaging;

namespace Cl2.Dicom.Tests.DataSets;

/// <summary>
/// The three lists of transfer syntaxes and what tells them apart: native pixel data (convertible without a codec),
/// uncompressed (what any peer reads, so what associations offer and accept by default), and a storage SCP's defaults.
/// </summary>
public sealed class TransferSyntaxListTests
{
    [Fact]
    public void the_uncompressed_syntaxes_are_the_native_ones_without_deflate()
    {
        var nativeWithoutDeflate = DicomTransferSyntax.Native.Where(s => !s.IsDeflated).Select(s => s.Uid);

        Assert.Equal(nativeWithoutDeflate.Order(), DicomTransferSyntax.UncompressedUids.Order());
        Assert.Contains(DicomTransferSyntax.DeflatedExplicitVRLittleEndian, DicomTransferSyntax.Native);
        Assert.All(DicomTransferSyntax.Native, syntax => Assert.False(syntax.IsEncapsulated));
    }

    [Fact]
    public void explicit_little_endian_is_offered_first()
    {
        Assert.Equal(DicomTransferSyntax.ExplicitVRLittleEndian.Uid, DicomTransferSyntax.UncompressedUids[0]);
        Assert.Equal(DicomTransferSyntax.UncompressedUids, DicomTransferSyntax.StorageDefaultUids.Take(DicomTransferSyntax.UncompressedUids.Count));
    }

    [Fact]
    public void every_syntax_a_storage_scp_accepts_by_default_is_one_our_codecs_decode()
    {
        var decoded = PixelDataCodecs.Default.TransferSyntaxUids.ToHashSet();

        Assert.All(DicomTransferSyntax.StorageDefaultUids, uid => Assert.Contains(uid, decoded));
        Assert.Equal(DicomTransferSyntax.StorageDefaultUids.Count, DicomTransferSyntax.StorageDefaultUids.Distinct().Count());
    }

    [Fact]
    public void the_common_storage_classes_a_retrieving_scu_names_are_registered_storage_sop_classes()
    {
        Assert.NotEmpty(DicomUids.CommonStorageSopClasses);
        Assert.All(DicomUids.CommonStorageSopClasses, uid =>
        {
            Assert.Equal(DicomUidType.SopClass, DicomUids.Find(uid)?.Type);
            Assert.True(DicomUids.IsStorageSopClass(uid), uid);
        });
        Assert.Contains(DicomUids.SegmentationStorage.Value, DicomUids.CommonStorageSopClasses);
    }
}
