namespace Cl2.Dicom.Web;

/// <summary>An instance the server stored: its UIDs and where to retrieve it.</summary>
public sealed record StowStoredInstance(string SopClassUid, string SopInstanceUid, string? RetrieveUrl);

/// <summary>An instance the server refused, with its Failure Reason (PS3.18 §10.5.3, e.g. 0xA700 out of resources, 0xC000 cannot understand).</summary>
public sealed record StowFailedInstance(string? SopClassUid, string? SopInstanceUid, ushort? FailureReason);

/// <summary>
/// The outcome of a STOW-RS request (PS3.18 §10.5.3): 200 all stored, 202 some stored (warnings or failures), 409 none
/// stored; the body lists what was stored (Referenced SOP Sequence) and what failed (Failed SOP Sequence).
/// </summary>
public sealed record StowResponse(System.Net.HttpStatusCode Status, IReadOnlyList<StowStoredInstance> Stored,
    IReadOnlyList<StowFailedInstance> Failed, DicomDataset Body)
{
    public static StowResponse FromDataset(System.Net.HttpStatusCode status, DicomDataset body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var stored = Items(body, DicomTags.ReferencedSOPSequence)
            .Select(item => new StowStoredInstance(
                item.GetStringOrDefault(DicomTags.ReferencedSOPClassUID, "")!,
                item.GetStringOrDefault(DicomTags.ReferencedSOPInstanceUID, "")!,
                item.GetStringOrDefault(DicomTags.RetrieveURL)))
            .ToArray();
        var failed = Items(body, DicomTags.FailedSOPSequence)
            .Select(item => new StowFailedInstance(
                item.GetStringOrDefault(DicomTags.ReferencedSOPClassUID),
                item.GetStringOrDefault(DicomTags.ReferencedSOPInstanceUID),
                item.TryGetValue<ushort>(DicomTags.FailureReason, out var reason) ? reason : null))
            .ToArray();
        return new StowResponse(status, stored, failed, body);
    }

    private static IReadOnlyList<DicomDataset> Items(DicomDataset body, DicomTag tag) =>
        body.TryGetSequence(tag, out var sequence) ? sequence.Items : [];
}
