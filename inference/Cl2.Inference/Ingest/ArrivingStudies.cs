namespace Cl2.Inference.Ingest;

/// <summary>
/// The studies an open association has stored instances of. A sender sends a study in one association as a rule, so
/// while that association is open the study is still arriving whatever the quiet period says: a sender slowed down
/// between two instances (a busy modality, a loaded host) must not get half a study processed. Released or aborted
/// associations forget their studies; the maximum wait still bounds a sender that holds an association open.
/// </summary>
public sealed class ArrivingStudies
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, HashSet<string>> _byAssociation = [];

    /// <summary>Raised (outside the lock, on the association's thread) when an association stores the first instance of a
    /// study it had not brought before: replicas tell labeling at once that a part of that study waits here.</summary>
    public event Action? StudyArriving;

    /// <summary>Association <paramref name="associationId"/> stored an instance of <paramref name="studyInstanceUid"/>;
    /// 0 (not a listener association) is not tracked.</summary>
    public void Stored(long associationId, string studyInstanceUid)
    {
        if (associationId == 0 || studyInstanceUid.Length == 0)
        {
            return;
        }
        lock (_gate)
        {
            if (!_byAssociation.TryGetValue(associationId, out var studies))
            {
                _byAssociation[associationId] = studies = new HashSet<string>(StringComparer.Ordinal);
            }
            if (!studies.Add(studyInstanceUid))
            {
                return;
            }
        }
        StudyArriving?.Invoke();
    }

    public void Closed(long associationId)
    {
        lock (_gate)
        {
            _byAssociation.Remove(associationId);
        }
    }

    /// <summary>Every study an open association has stored an instance of.</summary>
    public IReadOnlySet<string> Studies()
    {
        lock (_gate)
        {
            return _byAssociation.Values.SelectMany(studies => studies).ToHashSet(StringComparer.Ordinal);
        }
    }

    public bool IsArriving(string studyInstanceUid)
    {
        lock (_gate)
        {
            return _byAssociation.Values.Any(studies => studies.Contains(studyInstanceUid));
        }
    }
}
