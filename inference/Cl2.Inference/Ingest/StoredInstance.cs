namespace Cl2.Inference.Ingest;

/// <summary>
/// One durable instance as its index record in the pack holds it: the content address (SHA-256 of its Part 10 bytes), its
/// version among instances with the same SOP Instance UID (1 = first), and the attributes C-FIND matches on, by keyword.
/// </summary>
public sealed record StoredInstance(
    string Digest,
    int Version,
    string SopClassUid,
    string SopInstanceUid,
    string TransferSyntaxUid,
    long Length,
    long DataSetOffset,
    string CallingAeTitle,
    DateTimeOffset ReceivedAt,
    IReadOnlyDictionary<string, string> Attributes)
{
    public string StudyInstanceUid => Attributes.GetValueOrDefault("StudyInstanceUID", "");

    public string? Attribute(string keyword) => Attributes.GetValueOrDefault(keyword);
}

/// <summary>The first instance of a study became durable here: the fact labeling will pick up (one per study).</summary>
public sealed record StudyReceived(string StudyInstanceUid, string? PatientId, string? AccessionNumber, string CallingAeTitle, DateTimeOffset ReceivedAt);

/// <summary>What storing an instance did: new, already there (same bytes), or a new version of a known SOP Instance UID.</summary>
public enum StoreOutcomeKind
{
    Stored,
    Duplicate,
    NewVersion,
}

public sealed record StoreOutcome(StoreOutcomeKind Kind, StoredInstance Instance);
