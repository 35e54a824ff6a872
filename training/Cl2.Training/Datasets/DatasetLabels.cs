using Cl2.Labeling.Client;

namespace Cl2.Training.Datasets;

/// <summary>A case of the dataset and the label revision the job trains on, or why it cannot be used.</summary>
public sealed record LabelledCase(Guid CaseId, string StudyInstanceUid, DatasetPart Part, CaseRevision? Label, string? SkipReason);

public sealed record CaseRevision(Guid Id, int Revision, string Kind, string BlobDigest, string Status);

public enum DatasetPart
{
    Train,
    Validation,
}

/// <summary>
/// Reads a dataset's cases, their current label revisions and its fixed split from labeling, page by page. A case
/// trains on its current revision when that is submitted or approved; an unlabelled case or one whose current revision
/// was rejected is skipped with the reason (as MONAI Label trains on the labelled images only). The test part of a
/// fixed split is never read. Without a fixed split, every fifth case (by id) is held out for validation.
/// </summary>
public static class DatasetLabels
{
    // Labeling caps a query's complexity (50,000); a case with its label history costs about 100.
    private const int PageSize = 100;

    private const string CasesQuery =
        "query DatasetCases($id: ID!, $first: Int!, $after: String) { dataset(id: $id) { name split { trainCaseIds validationCaseIds } " +
        "cases(first: $first, after: $after) { pageInfo { hasNextPage endCursor } items { id studyInstanceUid labelStatus currentRevision " +
        "labelHistory { id revision kind blobDigest status } } } } }";

    public static async Task<(string Name, IReadOnlyList<LabelledCase> Cases)> ReadAsync(LabelingClient labeling, Guid datasetId,
        CancellationToken cancellationToken)
    {
        var cases = new List<CaseData>();
        string? after = null;
        string name;
        SplitData? split;
        while (true)
        {
            var dataset = (await labeling.QueryAsync<Data>(CasesQuery, new { id = datasetId, first = PageSize, after }, cancellationToken)).Dataset
                ?? throw new InvalidOperationException($"Dataset {datasetId} is not known to labeling; request the training on an existing dataset.");
            (name, split) = (dataset.Name, dataset.Split);
            cases.AddRange(dataset.Cases.Items);
            if (!dataset.Cases.PageInfo.HasNextPage)
            {
                break;
            }
            after = dataset.Cases.PageInfo.EndCursor;
        }
        return (name, Select(cases, split));
    }

    private static List<LabelledCase> Select(IReadOnlyList<CaseData> cases, SplitData? split)
    {
        var byId = cases.ToDictionary(item => item.Id);
        IEnumerable<(Guid Id, DatasetPart Part)> parts = split is null
            ? cases.Select(item => item.Id).Order().Select((id, index) => (id, index % 5 == 4 ? DatasetPart.Validation : DatasetPart.Train))
            : [.. split.TrainCaseIds.Select(id => (id, DatasetPart.Train)), .. split.ValidationCaseIds.Select(id => (id, DatasetPart.Validation))];
        var selected = new List<LabelledCase>();
        foreach (var (id, part) in parts)
        {
            if (!byId.TryGetValue(id, out var item))
            {
                continue; // The split names a case labeling no longer lists; nothing to train on.
            }
            var current = item.LabelHistory.FirstOrDefault(revision => revision.Revision == item.CurrentRevision && item.CurrentRevision > 0);
            var reason = (item.LabelStatus, current) switch
            {
                ("UNLABELLED", _) or (_, null) => "it has no label yet",
                ("REJECTED", _) => $"its current label (revision {item.CurrentRevision}) was rejected in review; submit a corrected revision",
                _ => null,
            };
            var label = reason is null && current is not null
                ? new CaseRevision(current.Id, item.CurrentRevision, current.Kind, current.BlobDigest, current.Status)
                : null;
            selected.Add(new LabelledCase(item.Id, item.StudyInstanceUid, part, label, reason));
        }
        return selected;
    }

    private sealed record Data(DatasetData? Dataset);

    private sealed record DatasetData(string Name, SplitData? Split, CaseConnection Cases);

    private sealed record SplitData(IReadOnlyList<Guid> TrainCaseIds, IReadOnlyList<Guid> ValidationCaseIds);

    private sealed record CaseConnection(PageInfoData PageInfo, IReadOnlyList<CaseData> Items);

    private sealed record PageInfoData(bool HasNextPage, string? EndCursor);

    private sealed record CaseData(Guid Id, string StudyInstanceUid, string LabelStatus, int CurrentRevision, IReadOnlyList<RevisionData> LabelHistory);

    private sealed record RevisionData(Guid Id, int? Revision, string Kind, string BlobDigest, string Status);
}
