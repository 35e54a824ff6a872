using Cl2.Dicom;
using Cl2.Dicom.Deidentification;
using Cl2.Dicom.Tests.DataSets;

namespace Cl2.Dicom.Tests.Deidentification;

public sealed class DeidentificationBehaviourTests
{
    private const string Secret = "behaviour-research-dataset-secret";

    private static readonly PatientPseudonym Pseudonym = new("CASE^0001", "CASE0001");

    /// <summary>An instance with the identifiers a real study carries, in descriptors too.</summary>
    private static DicomDataset Study(string sopInstanceUid = "1.2.3.4.100.1", string studyUid = "1.2.3.4.100")
    {
        var dataset = new DicomDataset()
            .SetString(DicomTags.SpecificCharacterSet, "ISO_IR 100")
            .SetUid(DicomTags.SOPClassUID, "1.2.840.10008.5.1.4.1.1.2")
            .SetUid(DicomTags.SOPInstanceUID, sopInstanceUid)
            .SetUid(DicomTags.StudyInstanceUID, studyUid)
            .SetUid(DicomTags.SeriesInstanceUID, studyUid + ".2")
            .SetUid(DicomTags.FrameOfReferenceUID, "1.2.840.10008.1.4.1.1") // a registered (well-known) UID
            .SetString(DicomTags.PatientName, "Doe^Johnathan")
            .SetString(DicomTags.PatientID, "MRN0047113")
            .SetString(DicomTags.PatientBirthDate, "19611230")
            .SetString(DicomTags.PatientSex, "M")
            .SetString(DicomTags.PatientAge, "061Y")
            .SetString(DicomTags.AccessionNumber, "ACC99812")
            .SetString(DicomTags.InstitutionName, "Saint Elsewhere Hospital")
            .SetString(DicomTags.StationName, "CTSCANNER7")
            .SetString(DicomTags.StudyDate, "20230314")
            .SetString(DicomTags.InstanceCreationDate, "20230316")
            .SetString(DicomTags.StudyTime, "101500")
            .SetString(DicomTags.SeriesDate, "20230314")
            .SetString(DicomTags.ContentDate, "20230315")
            .SetString(DicomTags.AcquisitionDateTime, "20230314101733.25+0100")
            .SetString(DicomTags.StudyDescription, "CT CHEST Doe follow-up 20230301 call 5550123")
            .SetString(DicomTags.SeriesDescription, "AX 1.25mm Saint Elsewhere")
            .SetString(DicomTags.Modality, "CT")
            .SetString(DicomTags.BurnedInAnnotation, "NO");
        var privateTag = dataset.ReservePrivateTag(0x0029, "ACME 1.0", 0x10);
        dataset.SetString(privateTag, DicomVR.LO, "Doe^Johnathan");
        dataset.SetString(new DicomTag(0x6000, 0x0010), DicomVR.US, "512");
        dataset.SetBytes(new DicomTag(0x6000, 0x3000), DicomVR.OW, new byte[64]);
        var referenced = new DicomDataset()
            .SetUid(DicomTags.ReferencedSOPClassUID, "1.2.840.10008.5.1.4.1.1.2")
            .SetUid(DicomTags.ReferencedSOPInstanceUID, "1.2.3.4.100.1");
        dataset.Add(new DicomSequence(DicomTags.SourceImageSequence, [referenced]));
        var physician = new DicomDataset().SetString(DicomTags.PersonName, "House^Gregory").SetString(DicomTags.TextValue, "seen by Dr House");
        dataset.Add(new DicomSequence(DicomTags.ContentSequence, [physician]));
        return dataset;
    }

    private static DicomDataset Deidentify(DicomDataset dataset, params ConfidentialityOption[] options) =>
        new DicomDeidentifier(new DeidentificationSettings(new PseudonymKey(Secret), options.ToHashSet())).Deidentify(dataset, Pseudonym);

    [Fact]
    public void basic_profile_removes_blanks_and_replaces_identifiers_and_records_the_method()
    {
        var original = Study();
        var result = Deidentify(original);

        Assert.Equal("CASE^0001", result.GetString(DicomTags.PatientName));
        Assert.Equal("CASE0001", result.GetString(DicomTags.PatientID));
        Assert.Equal("", result.GetString(DicomTags.PatientBirthDate)); // Z
        Assert.Equal("", result.GetString(DicomTags.AccessionNumber)); // Z
        Assert.Equal("", result.GetString(DicomTags.StudyDate)); // Z
        Assert.False(result.Contains(DicomTags.PatientAge)); // X
        Assert.False(result.Contains(DicomTags.StudyDescription)); // X
        Assert.False(result.Contains(DicomTags.SeriesDescription)); // X
        Assert.Equal("19000101", result.GetString(DicomTags.SeriesDate)); // X/D -> D
        Assert.Equal(DummyValues.Text, result.GetString(DicomTags.InstitutionName)); // X/Z/D -> D
        Assert.Equal(DummyValues.Text, result.GetString(DicomTags.StationName)); // X/Z/D -> D
        Assert.Equal("19000101", result.GetString(DicomTags.ContentDate)); // Z/D -> D
        Assert.Equal("19000101", result.GetString(DicomTags.InstanceCreationDate)); // not in the table, but a date
        Assert.Equal("", result.GetString(DicomTags.PatientSex)); // Z
        Assert.Equal("CT", result.GetString(DicomTags.Modality)); // not listed: kept
        Assert.DoesNotContain(result, e => e.Tag.IsPrivate);
        Assert.DoesNotContain(result, e => e.Tag.Group == 0x6000);
        Assert.Equal("YES", result.GetString(DicomTags.PatientIdentityRemoved));
        Assert.Equal("REMOVED", result.GetString(DicomTags.LongitudinalTemporalInformationModified));
        var codes = result.GetSequence(DicomTags.DeidentificationMethodCodeSequence).Items;
        Assert.Equal(["113100"], codes.Select(c => c.GetString(DicomTags.CodeValue)));
        Assert.Equal("DCM", codes[0].GetString(DicomTags.CodingSchemeDesignator));
        // The original is untouched.
        Assert.Equal("Doe^Johnathan", original.GetString(DicomTags.PatientName));
    }

    [Fact]
    public void uids_are_replaced_consistently_references_included_and_registered_uids_are_kept()
    {
        var result = Deidentify(Study());
        var again = Deidentify(Study());
        var otherDataset = new DicomDeidentifier(new DeidentificationSettings(new PseudonymKey("another-dataset-secret-0001"))).Deidentify(Study(), Pseudonym);

        var instance = result.GetString(DicomTags.SOPInstanceUID);
        Assert.StartsWith("2.25.", instance, StringComparison.Ordinal);
        Assert.True(instance.Length <= 64);
        Assert.Equal(instance, again.GetString(DicomTags.SOPInstanceUID)); // deterministic within the dataset
        Assert.NotEqual(instance, otherDataset.GetString(DicomTags.SOPInstanceUID)); // unrelated across datasets
        // The Source Image Sequence (X/Z/U*) keeps its item; the reference to the same instance maps to the same new UID.
        var reference = result.GetSequence(DicomTags.SourceImageSequence).Items.Single();
        Assert.Equal(instance, reference.GetString(DicomTags.ReferencedSOPInstanceUID));
        Assert.Equal("1.2.840.10008.5.1.4.1.1.2", reference.GetString(DicomTags.ReferencedSOPClassUID));
        Assert.Equal("1.2.840.10008.1.4.1.1", result.GetString(DicomTags.FrameOfReferenceUID));
        Assert.NotEqual(result.GetString(DicomTags.StudyInstanceUID), result.GetString(DicomTags.SeriesInstanceUID));
    }

    [Fact]
    public void instances_of_one_study_keep_their_study_and_references_across_files()
    {
        var image = Study("1.2.3.4.100.1");
        var presentation = Study("1.2.3.4.100.9");
        var series = new DicomDataset().SetUid(DicomTags.SeriesInstanceUID, "1.2.3.4.100.2");
        series.Add(new DicomSequence(DicomTags.ReferencedImageSequence,
            [new DicomDataset().SetUid(DicomTags.ReferencedSOPClassUID, "1.2.840.10008.5.1.4.1.1.2").SetUid(DicomTags.ReferencedSOPInstanceUID, "1.2.3.4.100.1")]));
        presentation.Add(new DicomSequence(DicomTags.ReferencedSeriesSequence, [series]));

        var first = Deidentify(image);
        var second = Deidentify(presentation);

        Assert.Equal(first.GetString(DicomTags.StudyInstanceUID), second.GetString(DicomTags.StudyInstanceUID));
        Assert.NotEqual(first.GetString(DicomTags.SOPInstanceUID), second.GetString(DicomTags.SOPInstanceUID));
        var referencedSeries = second.GetSequence(DicomTags.ReferencedSeriesSequence).Items.Single();
        Assert.Equal(first.GetString(DicomTags.SeriesInstanceUID), referencedSeries.GetString(DicomTags.SeriesInstanceUID));
        Assert.Equal(first.GetString(DicomTags.SOPInstanceUID),
            referencedSeries.GetSequence(DicomTags.ReferencedImageSequence).Items.Single().GetString(DicomTags.ReferencedSOPInstanceUID));
    }

    [Fact]
    public void retain_full_dates_keeps_dates_and_times_that_the_basic_profile_blanks()
    {
        var basic = Deidentify(Study());
        var retained = Deidentify(Study(), ConfidentialityOption.RetainLongitudinalTemporalInformationFullDates);

        Assert.Equal("", basic.GetString(DicomTags.StudyDate));
        Assert.Equal("20230314", retained.GetString(DicomTags.StudyDate));
        Assert.Equal("101500", retained.GetString(DicomTags.StudyTime));
        Assert.Equal("20230315", retained.GetString(DicomTags.ContentDate));
        Assert.Equal("20230316", retained.GetString(DicomTags.InstanceCreationDate));
        Assert.Equal("20230314101733.25+0100", retained.GetString(DicomTags.AcquisitionDateTime));
        Assert.Equal("", retained.GetString(DicomTags.PatientBirthDate)); // not a longitudinal date: still Z
        Assert.Equal("UNMODIFIED", retained.GetString(DicomTags.LongitudinalTemporalInformationModified));
        Assert.Contains("113106", retained.GetSequence(DicomTags.DeidentificationMethodCodeSequence).Items.Select(i => i.GetString(DicomTags.CodeValue)));
    }

    [Fact]
    public void modified_dates_move_every_date_of_a_patient_by_the_same_number_of_days()
    {
        var result = Deidentify(Study(), ConfidentialityOption.RetainLongitudinalTemporalInformationModifiedDates);

        var study = DateOnly.ParseExact(result.GetString(DicomTags.StudyDate), "yyyyMMdd");
        var content = DateOnly.ParseExact(result.GetString(DicomTags.ContentDate), "yyyyMMdd");
        var shift = new DateOnly(2023, 3, 14).DayNumber - study.DayNumber;
        Assert.InRange(shift, 1, 3650);
        Assert.Equal(1, content.DayNumber - study.DayNumber); // the interval between the dates is kept
        Assert.Equal(2, DateOnly.ParseExact(result.GetString(DicomTags.InstanceCreationDate), "yyyyMMdd").DayNumber - study.DayNumber);
        Assert.Equal("101500", result.GetString(DicomTags.StudyTime));
        Assert.EndsWith("101733.25+0100", result.GetString(DicomTags.AcquisitionDateTime), StringComparison.Ordinal);
        Assert.Equal("MODIFIED", result.GetString(DicomTags.LongitudinalTemporalInformationModified));
    }

    [Fact]
    public void clean_descriptors_keeps_descriptions_without_the_identifying_words()
    {
        var basic = Deidentify(Study());
        var cleaned = Deidentify(Study(), ConfidentialityOption.CleanDescriptors);

        Assert.False(basic.Contains(DicomTags.StudyDescription));
        var study = cleaned.GetString(DicomTags.StudyDescription);
        var series = cleaned.GetString(DicomTags.SeriesDescription);
        Assert.Contains("CT CHEST", study, StringComparison.Ordinal);
        Assert.Contains("follow-up", study, StringComparison.Ordinal);
        Assert.DoesNotContain("Doe", study, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("20230301", study, StringComparison.Ordinal);
        Assert.DoesNotContain("5550123", study, StringComparison.Ordinal);
        Assert.Equal("AX 1.25mm", series);
        Assert.Contains("113105", cleaned.GetSequence(DicomTags.DeidentificationMethodCodeSequence).Items.Select(i => i.GetString(DicomTags.CodeValue)));
    }

    [Fact]
    public void dummy_sequences_keep_their_items_with_free_text_replaced()
    {
        var result = Deidentify(Study());

        var item = result.GetSequence(DicomTags.ContentSequence).Items.Single();
        Assert.Equal(DummyValues.Text, item.GetString(DicomTags.PersonName));
        Assert.Equal(DummyValues.Text, item.GetString(DicomTags.TextValue));
    }

    [Fact]
    public void options_the_implementation_does_not_have_are_refused_with_the_supported_ones_named()
    {
        var refused = Assert.Throws<NotSupportedException>(() =>
            new DicomDeidentifier(new DeidentificationSettings(new PseudonymKey(Secret), new HashSet<ConfidentialityOption> { ConfidentialityOption.CleanGraphics })));
        Assert.Contains("CleanDescriptors", refused.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new DicomDeidentifier(new DeidentificationSettings(new PseudonymKey(Secret), new HashSet<ConfidentialityOption>
        {
            ConfidentialityOption.RetainLongitudinalTemporalInformationFullDates, ConfidentialityOption.RetainLongitudinalTemporalInformationModifiedDates,
        })));
        Assert.Throws<ArgumentException>(() => new PseudonymKey("short"));
    }

    [Fact]
    public void the_file_meta_follows_the_new_sop_instance_uid_and_drops_the_sender()
    {
        var original = DicomFile.Open(Corpus.DataFile("test_files/CT_small.dcm"));
        original.FileMetaInformation.SetString(DicomTags.SourceApplicationEntityTitle, DicomVR.AE, "HOSPITAL_CT7");
        var key = new PseudonymKey(Secret);

        var result = new DicomDeidentifier(new DeidentificationSettings(key)).Deidentify(original, Pseudonym);

        Assert.Equal(result.Dataset.GetString(DicomTags.SOPInstanceUID), result.FileMetaInformation.GetString(DicomTags.MediaStorageSOPInstanceUID));
        Assert.Equal(key.MapUid(original.Dataset.GetString(DicomTags.SOPInstanceUID)), result.Dataset.GetString(DicomTags.SOPInstanceUID));
        Assert.False(result.FileMetaInformation.Contains(DicomTags.SourceApplicationEntityTitle));
        Assert.Equal(original.TransferSyntax.Uid, result.TransferSyntax.Uid);
    }

    [Fact]
    public void the_table_holds_the_rows_of_PS3_15_E_1_1_with_their_option_columns()
    {
        var byTag = ConfidentialityProfile.Attributes.Where(a => a.Tag.IsSingleTag).ToDictionary(a => a.Tag.Tag);

        Assert.True(ConfidentialityProfile.Attributes.Count > 400);
        Assert.Equal(ConfidentialityAction.Zero, byTag[DicomTags.PatientName].BasicProfile);
        Assert.Equal(ConfidentialityAction.Uid, byTag[DicomTags.StudyInstanceUID].BasicProfile);
        Assert.Equal(ConfidentialityAction.RemoveOrZeroOrUids, byTag[DicomTags.ReferencedImageSequence].BasicProfile);
        Assert.Equal(ConfidentialityAction.ZeroOrDummy, byTag[DicomTags.ContentDate].BasicProfile);
        Assert.Contains(new ConfidentialityOptionAction(ConfidentialityOption.RetainLongitudinalTemporalInformationFullDates, ConfidentialityAction.Keep),
            byTag[DicomTags.ContentDate].Options);
        Assert.Contains(new ConfidentialityOptionAction(ConfidentialityOption.CleanDescriptors, ConfidentialityAction.Clean), byTag[DicomTags.SeriesDescription].Options);
        Assert.Equal(ConfidentialityProfile.Attributes.Single(a => a.Tag.IsPrivate), ConfidentialityProfile.Find(new DicomTag(0x0029, 0x1010)));
        Assert.Equal("Curve Data", ConfidentialityProfile.Find(new DicomTag(0x5002, 0x3000))?.Name);
        Assert.Equal("Overlay Data", ConfidentialityProfile.Find(new DicomTag(0x601E, 0x3000))?.Name);
        Assert.Null(ConfidentialityProfile.Find(new DicomTag(0x6020, 0x3000)));
        // A transcription check: each row's name is the registry's keyword for its tag, where DCMTK's dictionary knows it.
        var known = byTag.Values.Select(a => (Row: a, Keyword: DicomDictionary.Find(a.Tag.Tag)?.Keyword)).Where(p => p.Keyword is not null).ToArray();
        var mismatches = known
            .Where(p => Normalize(p.Row.Name) != Normalize(p.Keyword!))
            .Select(p => $"{p.Row.Tag} '{p.Row.Name}' is {p.Keyword} in the registry")
            .ToArray();
        Assert.True(known.Length > 400, $"only {known.Length} rows could be compared with the registry");
        Assert.True(mismatches.Length == 0, string.Join('\n', mismatches));
    }

    private static string Normalize(string name) =>
        new(name.Replace("'s", "", StringComparison.Ordinal).Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}
