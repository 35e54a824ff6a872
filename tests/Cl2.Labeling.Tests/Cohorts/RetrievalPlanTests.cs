using System.ComponentModel.DataAnnotations;
using Cl2.Dicom;
using Cl2.Labeling.Cohorts;

namespace Cl2.Labeling.Tests.Cohorts;

/// <summary>What an import asks the PACS for, resuming an import, and the retrieve settings, without a database or a PACS.</summary>
public sealed class RetrievalPlanTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    private static readonly PacsInstance[] Study =
    [
        new("1.2.10", "1.2.10.1"), new("1.2.10", "1.2.10.2"),
        new("1.2.20", "1.2.20.1"), new("1.2.20", "1.2.20.2"),
    ];

    private static string[] Describe(IEnumerable<DicomDataset> identifiers) =>
    [
        .. identifiers.Select(identifier => string.Join(' ', identifier.GetString(DicomTags.QueryRetrieveLevel).Trim(),
            identifier.GetStringOrDefault(DicomTags.SeriesInstanceUID)?.Trim() ?? "-", identifier.GetStringOrDefault(DicomTags.SOPInstanceUID)?.Trim() ?? "-")),
    ];

    [Fact]
    public void a_study_of_which_nothing_is_archived_is_retrieved_whole_unless_a_series_filter_chose_its_instances()
    {
        Assert.Equal(["STUDY - -"], Describe(RetrievalPlan.Identifiers("1.2", Study, Study, wholeStudy: true)));
        Assert.Equal(["SERIES 1.2.10 -", "SERIES 1.2.20 -"], Describe(RetrievalPlan.Identifiers("1.2", Study, Study, wholeStudy: false)));
        Assert.Equal("1.2", RetrievalPlan.Identifiers("1.2", Study, Study, wholeStudy: true)[0].GetString(DicomTags.StudyInstanceUID).Trim());
    }

    [Fact]
    public void what_is_partly_archived_is_retrieved_by_whole_missing_series_and_the_rest_instance_by_instance()
    {
        Assert.Equal(["SERIES 1.2.10 -", "IMAGE 1.2.20 1.2.20.2"], Describe(RetrievalPlan.Identifiers("1.2", Study, [Study[0], Study[1], Study[3]], wholeStudy: true)));
        Assert.Empty(RetrievalPlan.Identifiers("1.2", Study, [], wholeStudy: true));
        // The series a filter chose: one wanted series wholly missing is one SERIES-level request, whatever else the study holds.
        Assert.Equal(["SERIES 1.2.20 -"], Describe(RetrievalPlan.Identifiers("1.2", Study[2..], Study[2..], wholeStudy: false)));
    }

    private static PacsImport Import(PacsImportStatus status) =>
        PacsImport.Create(new PacsImportStarted(Guid.NewGuid(), Guid.NewGuid(), ["1.2.3"], false, false, false, "ml", Now)) with { Status = status };

    [Fact]
    public void only_a_failed_import_resumes_and_an_unknown_one_is_not_found()
    {
        var failed = Import(PacsImportStatus.Failed) with { FailureCode = ErrorCodes.PacsUnreachable, FailureReason = "down" };
        string Code(PacsImport? import) => Assert.ThrowsAny<DomainException>(() => ResumePacsImport.Decide(import, Guid.NewGuid(), "ml", Now)).Code;

        var resumed = Assert.IsType<PacsImportResumed>(Assert.Single(ResumePacsImport.Decide(failed, failed.Id, "ml", Now)));

        Assert.Equal(new PacsImportResumed(failed.Id, "ml", Now), resumed);
        var after = PacsImport.Apply(resumed, failed);
        Assert.Equal(PacsImportStatus.Running, after.Status);
        Assert.Null(after.FailureCode);
        Assert.Equal(ErrorCodes.PacsImportNotFound, Code(null));
        Assert.Equal(ErrorCodes.InvalidInput, Code(Import(PacsImportStatus.Running)));
        Assert.Equal(ErrorCodes.InvalidInput, Code(Import(PacsImportStatus.Completed)));
    }

    [Fact]
    public void c_move_settings_are_checked_at_start_and_the_destination_defaults_to_our_ae_title()
    {
        static string[] Errors(PacsOptions options)
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
            return [.. results.Select(result => result.ErrorMessage!)];
        }

        Assert.Empty(Errors(new PacsOptions { RetrieveMethod = PacsRetrieveMethod.CGet, StorageScpBindAddress = "not an address" }));
        Assert.Contains(Errors(new PacsOptions { RetrieveMethod = PacsRetrieveMethod.CMove, StorageScpBindAddress = "not an address" }),
            error => error.Contains("StorageScpBindAddress", StringComparison.Ordinal));
        Assert.Contains(Errors(new PacsOptions { RetrieveMethod = PacsRetrieveMethod.CMove, MoveDestinationAeTitle = "A\\B" }),
            error => error.Contains("MoveDestinationAeTitle", StringComparison.Ordinal));
        Assert.Contains(Errors(new PacsOptions { PseudonymMasterKey = "short" }), error => error.Contains("PseudonymMasterKey", StringComparison.Ordinal));
        Assert.Empty(Errors(new PacsOptions { RetrieveMethod = PacsRetrieveMethod.CMove, StorageScpPort = 0 }));
        Assert.Equal("CL2", new PacsOptions { CallingAeTitle = "CL2" }.EffectiveMoveDestination);
        Assert.Equal("CL2STORE", new PacsOptions { MoveDestinationAeTitle = "CL2STORE" }.EffectiveMoveDestination);
    }
}
