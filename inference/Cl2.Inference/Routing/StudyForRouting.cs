using Cl2.Inference.Ingest;

namespace Cl2.Inference.Routing;

/// <summary>A series as routing sees it: what the index holds of its instances.</summary>
public sealed record SeriesForRouting(string SeriesInstanceUid, string? Modality, string? BodyPart, IReadOnlyList<string> SopClassUids, string? SeriesDescription, int InstanceCount);

/// <summary>A received study as routing rules see it: who sent it, to which AE title, and its series.</summary>
public sealed record StudyForRouting(string StudyInstanceUid, string CallingAeTitle, string CalledAeTitle, IReadOnlyList<SeriesForRouting> Series)
{
    /// <summary>The study from its instances' index records (all of one study); series in Series Instance UID order.</summary>
    public static StudyForRouting From(string studyInstanceUid, string calledAeTitle, IReadOnlyList<StoredInstance> instances) =>
        new(studyInstanceUid, instances.OrderBy(instance => instance.ReceivedAt).First().CallingAeTitle, calledAeTitle,
        [
            .. instances.GroupBy(instance => instance.Attribute("SeriesInstanceUID") ?? "")
                .OrderBy(series => series.Key, StringComparer.Ordinal)
                .Select(series => new SeriesForRouting(series.Key, First(series, "Modality"), First(series, "BodyPartExamined"),
                    [.. series.Select(instance => instance.SopClassUid).Distinct().Order(StringComparer.Ordinal)], First(series, "SeriesDescription"), series.Count())),
        ]);

    private static string? First(IEnumerable<StoredInstance> series, string keyword) =>
        series.Select(instance => instance.Attribute(keyword)).FirstOrDefault(value => !string.IsNullOrEmpty(value));
}
