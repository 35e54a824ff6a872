using System.Runtime.CompilerServices;
using Cl2.Dicom;
using Cl2.Dicom.Network.Dimse;
using Cl2.Dicom.Network.Server;
using Cl2.Inference.Audit;
using Cl2.Inference.Ingest;
using Cl2.Inference.Listener;
using Cl2.ServiceDefaults.Audit;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.QueryRetrieve;

/// <summary>
/// C-FIND SCP over what the listener received: Patient Root (PATIENT, STUDY, SERIES, IMAGE) and Study Root (STUDY,
/// SERIES, IMAGE). One Pending response per matching patient/study/series/instance, with every requested key: our
/// value when we index it (docs/dicom-conformance.md lists which), empty otherwise. A C-CANCEL (the server cancels our
/// token) stops matching and the responses at the next match; the server then answers Cancel.
/// </summary>
public sealed class FindScp(InstanceStore store, IOptions<ListenerOptions> options, AuditTrail audit, ILogger<FindScp> logger) : ICFindProvider
{
    public async IAsyncEnumerable<CFindResponse> OnCFindAsync(CFindRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        QueryIdentifier? query = null;
        var refusal = "";
        try
        {
            query = QueryIdentifier.Parse(request.Identifier, request.TransferSyntaxUid, request.SopClassUid);
        }
        catch (Exception e) when (e is InvalidDataException or DicomFormatException)
        {
            logger.LogWarning("C-FIND from {CallingAeTitle} refused: {Reason}", request.CallingAeTitle, e.Message);
            refusal = e.Message;
        }
        var caller = DicomAccess.Caller(request.CallingAeTitle, request.RemoteAddress);
        if (query is null)
        {
            await audit.RecordAsync(DicomAccess.Served(caller, AuditEvents.Query, AuditActions.Execute, "C-FIND", request.SopClassUid, "", [],
                AuditOutcomes.MinorFailure, $"Data Set does not match SOP Class: {refusal}"));
            yield return new CFindResponse(DimseStatus.DataSetDoesNotMatchSopClass, null);
            yield break;
        }
        var syntax = DicomTransferSyntax.Lookup(request.TransferSyntaxUid);
        var answered = new List<StoredInstance>();
        var outcome = (AuditOutcomes.MinorFailure, "cancelled or ended before the last match");
        try
        {
            // Matching runs before the first response; over a large store a C-CANCEL that comes meanwhile stops it too.
            foreach (var group in Groups(query, store.LatestVersions().TakeWhile(_ => !cancellationToken.IsCancellationRequested)))
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var bytes = new MemoryStream();
                DicomWriter.WriteDataset(bytes, Response(query, group), syntax);
                answered.Add(group[0]);
                yield return CFindResponse.Match(bytes.ToArray());
                await Task.Yield();
            }
            cancellationToken.ThrowIfCancellationRequested(); // cut short by a cancel during matching: the answer is Cancel, not Success
            outcome = (AuditOutcomes.Success, $"{answered.Count} matches");
        }
        finally
        {
            // Every C-FIND is recorded, with what it disclosed so far: a cancelled one too.
            await audit.RecordAsync(DicomAccess.Served(caller, AuditEvents.Query, AuditActions.Execute, $"C-FIND {query.Level.ToString().ToUpperInvariant()}",
                request.SopClassUid, DicomAccess.Keys(query.DataSet), answered, outcome.Item1, outcome.Item2));
        }
    }

    /// <summary>The matching instances, grouped by the unique key of the query level (latest version of each instance).</summary>
    public static IEnumerable<IReadOnlyList<StoredInstance>> Groups(QueryIdentifier query, IEnumerable<StoredInstance> instances)
    {
        var unique = IndexedAttributes.UniqueKey(query.Level).Keyword;
        var modalities = query.Level == QueryLevel.Study ? query.DataSet.GetStringOrDefault(DicomTags.ModalitiesInStudy, "")! : "";
        return query.Select(instances)
            .GroupBy(instance => instance.Attribute(unique) ?? "", StringComparer.Ordinal)
            .Where(group => group.Any(instance => AttributeMatching.Matches(modalities, DicomVR.CS, instance.Attribute("Modality"))))
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group => (IReadOnlyList<StoredInstance>)group.ToList());
    }

    private DicomDataset Response(QueryIdentifier query, IReadOnlyList<StoredInstance> group)
    {
        var first = group[0];
        var response = new DicomDataset();
        if (first.Attribute(IndexedAttributes.SpecificCharacterSet) is { } characterSet)
        {
            response.SetString(DicomTags.SpecificCharacterSet, characterSet);
        }
        foreach (var element in query.DataSet)
        {
            if (element.Tag == DicomTags.SpecificCharacterSet || element is DicomSequence || element.Tag.Group == 0x0002)
            {
                continue;
            }
            var value = element.Tag == DicomTags.QueryRetrieveLevel ? query.DataSet.GetString(DicomTags.QueryRetrieveLevel).Trim()
                : element.Tag == DicomTags.RetrieveAETitle ? options.Value.AeTitle
                : element.Tag == DicomTags.ModalitiesInStudy ? string.Join('\\', group.Select(i => i.Attribute("Modality")).OfType<string>().Distinct().Order())
                : element.Tag == DicomTags.NumberOfStudyRelatedInstances || element.Tag == DicomTags.NumberOfSeriesRelatedInstances ? group.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : element.Tag == DicomTags.NumberOfStudyRelatedSeries ? group.Select(i => i.Attribute("SeriesInstanceUID")).Distinct().Count().ToString(System.Globalization.CultureInfo.InvariantCulture)
                : IndexedAttributes.ByTag.TryGetValue(element.Tag, out var attribute) && attribute.Level <= query.Level ? first.Attribute(attribute.Keyword) ?? ""
                : "";
            Set(response, element, value);
        }
        // The unique keys of the level and those above it are always returned (PS3.4 C.4.1.3.1.1).
        foreach (var attribute in IndexedAttributes.All.Where(a => a.IsUniqueKey && a.Level <= query.Level && !response.Contains(a.Tag)))
        {
            response.SetString(attribute.Tag, first.Attribute(attribute.Keyword) ?? "");
        }
        return response;
    }

    private static void Set(DicomDataset response, DicomElement element, string value)
    {
        if (element.VR.IsText)
        {
            response.SetString(element.Tag, element.VR, value);
        }
        else
        {
            response.SetBytes(element.Tag, element.VR, ReadOnlyMemory<byte>.Empty);
        }
    }
}
