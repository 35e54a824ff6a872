using Cl2.Dicom;

namespace Cl2.Dicom.Tests.DataSets;

public sealed class DicomCharacterSetTests
{
    // The examples of PS3.5 Annex H (Japanese), I (Korean) and J (Chinese), which the corpus's chr*.dcm files encode.
    [Theory]
    [InlineData("chrH31.dcm", "Yamada^Tarou=山田^太郎=やまだ^たろう")]
    [InlineData("chrH32.dcm", "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう")]
    [InlineData("chrI2.dcm", "Hong^Gildong=洪^吉洞=홍^길동")]
    [InlineData("chrX1.dcm", "Wang^XiaoDong=王^小東=")]
    [InlineData("chrX2.dcm", "Wang^XiaoDong=王^小东=")]
    [InlineData("chrRuss.dcm", "Люкceмбypг")]
    [InlineData("chrGerm.dcm", "Äneas^Rüdiger")]
    [InlineData("chrFren.dcm", "Buc^Jérôme")]
    [InlineData("chrGreek.dcm", "Διονυσιος")]
    [InlineData("chrHbrw.dcm", "שרון^דבורה")]
    [InlineData("chrArab.dcm", "قباني^لنزار")]
    public void patient_names_decode_as_the_standards_examples(string file, string expected)
    {
        var dataset = DicomFile.Open(Path.Combine(Corpus.DataRoot, "charset_files", file)).Dataset;

        Assert.Equal(expected, dataset.GetString(DicomTags.PatientName));
    }

    [Fact]
    public void an_item_with_its_own_character_set_decodes_with_it_and_others_inherit_the_datasets()
    {
        var dataset = DicomFile.Open(Path.Combine(Corpus.DataRoot, "charset_files", "chrSQEncoding.dcm")).Dataset;
        var item = dataset.GetSequence(DicomTags.RequestedProcedureCodeSequence).Items[0];

        Assert.Equal("Doctor^Who^^MD", dataset.GetString(DicomTags.RequestingPhysician));
        Assert.Equal("ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう", item.GetString(DicomTags.PatientName));
        Assert.Equal(["ISO 2022 IR 13", "ISO 2022 IR 87"], item.CharacterSet.Terms);
    }

    [Theory]
    [InlineData("ISO_IR 192", "Wang^XiaoDong=王^小東")]
    [InlineData("ISO_IR 100", "Buc^Jérôme")]
    [InlineData("GB18030", "Wang^XiaoDong=王^小东")]
    [InlineData("ISO_IR 144", "Люкceмбypг")]
    [InlineData("\\ISO 2022 IR 87", "Yamada^Tarou=山田^太郎")]
    public void names_set_in_a_character_set_read_back_unchanged_after_writing(string characterSet, string name)
    {
        var dataset = new DicomDataset().SetString(DicomTags.SpecificCharacterSet, characterSet);
        dataset.SetPersonName(DicomTags.PatientName, DicomPersonName.Parse(name));
        using var stream = new MemoryStream();
        new DicomFile(new DicomDataset(), dataset, DicomTransferSyntax.ExplicitVRLittleEndian).Save(stream);
        stream.Position = 0;

        var reread = DicomFile.Open(stream).Dataset;

        Assert.Equal(name, reread.GetString(DicomTags.PatientName));
    }

    [Fact]
    public void text_outside_the_character_set_vrs_is_not_reinterpreted()
    {
        var dataset = new DicomDataset().SetString(DicomTags.SpecificCharacterSet, "ISO_IR 192").SetString(DicomTags.Modality, "CT");

        Assert.Equal("CT", dataset.GetString(DicomTags.Modality));
    }
}
