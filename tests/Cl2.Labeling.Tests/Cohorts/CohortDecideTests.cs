using Cl2.Dicom;
using Cl2.Labeling.Cohorts;
using Cl2.Labeling.Datasets;

namespace Cl2.Labeling.Tests.Cohorts;

/// <summary>Starting an import and building the C-FIND identifier, without a database or a PACS.</summary>
public sealed class CohortDecideTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    private static Dataset NewDataset(bool research) => Dataset.Create(new DatasetCreated(Guid.NewGuid(), "cohort", "", research, "ml", Now));

    private static ImportFromPacs Command(Guid datasetId, bool? retainDates = null) => new(datasetId, null, null, retainDates, null);

    [Fact]
    public void starting_an_import_records_the_distinct_studies_and_whether_they_are_de_identified()
    {
        var dataset = NewDataset(research: true);
        var id = Guid.NewGuid();

        var started = ImportFromPacs.Decide(dataset, Command(dataset.Id, retainDates: true), ["1.2.3", "1.2.4", "1.2.3"], hasPseudonymKey: true, 10, id, "ml", Now);

        Assert.Equal(new PacsImportStarted(id, dataset.Id, started.StudyInstanceUids, true, true, false, "ml", Now), started);
        Assert.Equal(["1.2.3", "1.2.4"], started.StudyInstanceUids);
    }

    [Fact]
    public void a_series_description_in_the_criteria_is_recorded_as_the_import_s_series_filter()
    {
        var dataset = NewDataset(research: false);
        PacsCriteria Criteria(string? series) => new(null, null, null, null, null, null, series);

        var filtered = ImportFromPacs.Decide(dataset, new ImportFromPacs(dataset.Id, ["1.2.3"], Criteria("AXIAL*"), null, null), ["1.2.3"], false, 10,
            Guid.NewGuid(), "ml", Now);
        var whole = ImportFromPacs.Decide(dataset, new ImportFromPacs(dataset.Id, null, Criteria(""), null, null), ["1.2.3"], false, 10, Guid.NewGuid(), "ml", Now);

        Assert.Equal("AXIAL*", filtered.SeriesDescription);
        Assert.Equal("AXIAL*", PacsImport.Create(filtered).SeriesDescription);
        Assert.Null(whole.SeriesDescription);
    }

    [Fact]
    public void an_import_is_refused_for_a_missing_dataset_bad_uids_too_many_studies_or_a_research_dataset_without_a_key()
    {
        var plain = NewDataset(research: false);
        var research = NewDataset(research: true);
        string Code(Dataset? dataset, string[] studies, bool key = true) => Assert.ThrowsAny<DomainException>(() =>
            ImportFromPacs.Decide(dataset, Command(dataset?.Id ?? Guid.NewGuid()), studies, key, 2, Guid.NewGuid(), "ml", Now)).Code;

        Assert.Equal(ErrorCodes.DatasetNotFound, Code(null, ["1.2.3"]));
        Assert.Equal(ErrorCodes.InvalidInput, Code(plain, ["1.02.3"]));
        Assert.Equal(ErrorCodes.InvalidInput, Code(plain, []));
        Assert.Equal(ErrorCodes.InvalidInput, Code(plain, ["1.2.3", "1.2.4", "1.2.5"]));
        Assert.Equal(ErrorCodes.PseudonymKeyMissing, Code(research, ["1.2.3"], key: false));
        Assert.False(ImportFromPacs.Decide(plain, Command(plain.Id), ["1.2.3"], false, 2, Guid.NewGuid(), "ml", Now).Deidentify);
    }

    [Fact]
    public void the_criteria_become_study_level_matching_keys_with_a_date_range_and_an_accession_list()
    {
        var identifier = new PacsCriteria("CT", "20200101", "20201231", "CHEST*", "CHEST", ["A1", "A2"]).Identifier();

        Assert.Equal("STUDY", identifier.GetString(DicomTags.QueryRetrieveLevel).Trim());
        Assert.Equal("CT", identifier.GetString(DicomTags.ModalitiesInStudy).Trim());
        Assert.Equal("20200101-20201231", identifier.GetString(DicomTags.StudyDate).Trim());
        Assert.Equal("CHEST*", identifier.GetString(DicomTags.StudyDescription).Trim());
        Assert.Equal("CHEST", identifier.GetString(DicomTags.BodyPartExamined).Trim());
        Assert.Equal("A1\\A2", identifier.GetString(DicomTags.AccessionNumber).Trim());
        Assert.Equal("20200101-", new PacsCriteria(null, "20200101", null, null, null, null).Identifier().GetString(DicomTags.StudyDate).Trim());
        Assert.Equal(ErrorCodes.InvalidInput, Assert.ThrowsAny<DomainException>(() => new PacsCriteria(null, "2020-01-01", null, null, null, null).Identifier()).Code);
        Assert.Equal(ErrorCodes.InvalidInput, Assert.ThrowsAny<DomainException>(() => new PacsCriteria(null, null, null, null, null, ["A*"]).Identifier()).Code);
    }
}
