using Cl2.Dicom;
using Cl2.Labeling.GraphQL;
using GraphQL;
using GraphQL.Types;

namespace Cl2.Labeling.Cohorts;

/// <summary>
/// What to look for in the PACS (C-FIND at STUDY level, PS3.4 C.6.2): every criterion given must match. Dates are
/// YYYYMMDD; an accession list asks for any of those accession numbers.
/// </summary>
public sealed record PacsCriteria(
    string? Modality,
    string? StudyDateFrom,
    string? StudyDateTo,
    string? StudyDescription,
    string? BodyPartExamined,
    IReadOnlyList<string>? AccessionNumbers,
    string? SeriesDescription = null)
{
    /// <summary>The C-FIND identifier: the criteria as matching keys, the attributes a reviewer needs as return keys.</summary>
    public DicomDataset Identifier()
    {
        if (StudyDateFrom is { } from && !IsDate(from) || StudyDateTo is { } to && !IsDate(to))
        {
            throw DomainException.Invalid("Study dates are YYYYMMDD.");
        }
        if (AccessionNumbers?.FirstOrDefault(number => number.Length is 0 or > 16 || number.Contains('\\') || number.Contains('*')) is { } invalid)
        {
            throw DomainException.Invalid($"'{invalid}' is not an accession number (1 to 16 characters, no '\\' or '*').");
        }
        var range = (StudyDateFrom, StudyDateTo) switch
        {
            (null, null) => "",
            (var from2, var to2) when from2 == to2 => from2!,
            _ => $"{StudyDateFrom}-{StudyDateTo}",
        };
        var identifier = new DicomDataset();
        identifier.SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, "STUDY");
        identifier.SetString(DicomTags.StudyInstanceUID, DicomVR.UI, "");
        identifier.SetString(DicomTags.PatientID, DicomVR.LO, "");
        identifier.SetString(DicomTags.PatientName, DicomVR.PN, "");
        identifier.SetString(DicomTags.StudyDate, DicomVR.DA, range);
        identifier.SetString(DicomTags.AccessionNumber, DicomVR.SH, string.Join('\\', AccessionNumbers ?? []));
        identifier.SetString(DicomTags.StudyDescription, DicomVR.LO, StudyDescription ?? "");
        identifier.SetString(DicomTags.ModalitiesInStudy, DicomVR.CS, Modality ?? "");
        identifier.SetString(DicomTags.NumberOfStudyRelatedInstances, DicomVR.IS, "");
        if (BodyPartExamined is { Length: > 0 } bodyPart)
        {
            // Body Part Examined is a series attribute; PACS that match it at study level (Orthanc does) narrow the list.
            identifier.SetString(DicomTags.BodyPartExamined, DicomVR.CS, bodyPart);
        }
        return identifier;
    }

    /// <summary>
    /// Series Description is a series attribute, so it is asked of each matching study at SERIES level (Study Root
    /// C-FIND is hierarchical: a series query names its study); a study stays a match when one of its series matches.
    /// </summary>
    public DicomDataset? SeriesIdentifier(string studyInstanceUid) =>
        SeriesDescription is { Length: > 0 } description ? SeriesQuery(studyInstanceUid, description) : null;

    /// <summary>The study's series whose Series Description matches (wildcards allowed): a SERIES-level C-FIND.</summary>
    public static DicomDataset SeriesQuery(string studyInstanceUid, string seriesDescription)
    {
        var identifier = new DicomDataset();
        identifier.SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, "SERIES");
        identifier.SetString(DicomTags.StudyInstanceUID, DicomVR.UI, studyInstanceUid);
        identifier.SetString(DicomTags.SeriesInstanceUID, DicomVR.UI, "");
        identifier.SetString(DicomTags.SeriesDescription, DicomVR.LO, seriesDescription);
        return identifier;
    }

    private static bool IsDate(string value) => value.Length == 8 && value.All(char.IsAsciiDigit);
}

/// <summary>One study the PACS matched, for review before an import.</summary>
public sealed record PacsStudy(
    string StudyInstanceUid,
    string? PatientId,
    string? PatientName,
    string? StudyDate,
    string? AccessionNumber,
    string? StudyDescription,
    IReadOnlyList<string> ModalitiesInStudy,
    int? NumberOfStudyRelatedInstances)
{
    public static PacsStudy From(DicomDataset match)
    {
        string? Text(DicomTag tag) => match.GetStringOrDefault(tag) is { Length: > 0 } value ? value.Trim() : null;
        return new PacsStudy(match.GetStringOrDefault(DicomTags.StudyInstanceUID)?.Trim() ?? "", Text(DicomTags.PatientID), Text(DicomTags.PatientName),
            Text(DicomTags.StudyDate), Text(DicomTags.AccessionNumber), Text(DicomTags.StudyDescription),
            Text(DicomTags.ModalitiesInStudy)?.Split('\\', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
            int.TryParse(Text(DicomTags.NumberOfStudyRelatedInstances), out var count) ? count : null);
    }
}

public static class PacsStudies
{
    public static async Task<IReadOnlyList<PacsStudy>> FindAsync(PacsConnection pacs, PacsCriteria criteria, CancellationToken cancellationToken)
    {
        var matches = await pacs.FindAsync(criteria.Identifier(), cancellationToken);
        var studies = new List<PacsStudy>();
        foreach (var study in matches.Select(PacsStudy.From).Where(study => study.StudyInstanceUid.Length > 0))
        {
            if (criteria.SeriesIdentifier(study.StudyInstanceUid) is { } series && (await pacs.FindAsync(series, cancellationToken)).Count == 0)
            {
                continue;
            }
            studies.Add(study);
            if (studies.Count == pacs.Options.MaxStudies)
            {
                break;
            }
        }
        return studies;
    }

    public static void AddField(ObjectGraphType query) => query
        .Field<NonNullGraphType<ListGraphType<NonNullGraphType<PacsStudyGraphType>>>, IReadOnlyList<PacsStudy>>("pacsStudies")
        .Description("The studies of the configured PACS that match the criteria (C-FIND), to review before importFromPacs.")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Argument<NonNullGraphType<PacsCriteriaInputType>>("criteria")
        .ResolveAsync(async context => await FindAsync(context.RequestServices!.GetRequiredService<PacsConnection>(),
            context.GetArgument<PacsCriteria>("criteria"), context.CancellationToken));
}

public sealed class PacsCriteriaInputType : AutoRegisteringInputObjectGraphType<PacsCriteria>
{
    public PacsCriteriaInputType() => Name = "PacsCriteriaInput";
}

public sealed class PacsStudyGraphType : ObjectGraphType<PacsStudy>
{
    public PacsStudyGraphType()
    {
        Name = "PacsStudy";
        Field(study => study.StudyInstanceUid);
        Field(study => study.PatientId, nullable: true);
        Field(study => study.PatientName, nullable: true);
        Field(study => study.StudyDate, nullable: true);
        Field(study => study.AccessionNumber, nullable: true);
        Field(study => study.StudyDescription, nullable: true);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>, IReadOnlyList<string>>("modalitiesInStudy")
            .Resolve(context => context.Source.ModalitiesInStudy);
        Field(study => study.NumberOfStudyRelatedInstances, nullable: true);
    }
}
