using Cl2.Dicom;

namespace Cl2.Labeling.Cohorts;

/// <summary>One instance the PACS listed for a study (IMAGE-level C-FIND).</summary>
public sealed record PacsInstance(string SeriesInstanceUid, string SopInstanceUid);

/// <summary>
/// What to ask the PACS for to bring in the missing instances of a study, in as few retrieve requests as the PACS
/// needs: the whole study when all of it is missing and it is wanted whole; otherwise each series all of whose wanted
/// instances are missing at SERIES level, and the rest instance by instance.
/// </summary>
public static class RetrievalPlan
{
    /// <param name="wanted">The study's instances to have: all of them, or those of the series a filter chose.</param>
    /// <param name="missing">Those of <paramref name="wanted"/> the archive lacks.</param>
    /// <param name="wholeStudy">Whether <paramref name="wanted"/> is the whole study (no series filter).</param>
    public static IReadOnlyList<DicomDataset> Identifiers(string study, IReadOnlyList<PacsInstance> wanted, IReadOnlyList<PacsInstance> missing, bool wholeStudy)
    {
        if (missing.Count == 0)
        {
            return [];
        }
        if (wholeStudy && missing.Count == wanted.Count)
        {
            return [Identifier("STUDY", study, null, null)];
        }
        var wantedPerSeries = wanted.CountBy(instance => instance.SeriesInstanceUid).ToDictionary(StringComparer.Ordinal);
        var identifiers = new List<DicomDataset>();
        foreach (var series in missing.GroupBy(instance => instance.SeriesInstanceUid, StringComparer.Ordinal))
        {
            if (series.Count() == wantedPerSeries.GetValueOrDefault(series.Key))
            {
                identifiers.Add(Identifier("SERIES", study, series.Key, null));
            }
            else
            {
                identifiers.AddRange(series.Select(instance => Identifier("IMAGE", study, series.Key, instance.SopInstanceUid)));
            }
        }
        return identifiers;
    }

    /// <summary>A retrieve (or query) identifier at <paramref name="level"/>; an empty UID is a return key, null leaves it out.</summary>
    public static DicomDataset Identifier(string level, string study, string? series, string? sop)
    {
        var identifier = new DicomDataset();
        identifier.SetString(DicomTags.QueryRetrieveLevel, DicomVR.CS, level);
        identifier.SetString(DicomTags.StudyInstanceUID, DicomVR.UI, study);
        if (series is not null)
        {
            identifier.SetString(DicomTags.SeriesInstanceUID, DicomVR.UI, series);
        }
        if (sop is not null)
        {
            identifier.SetString(DicomTags.SOPInstanceUID, DicomVR.UI, sop);
        }
        return identifier;
    }
}
