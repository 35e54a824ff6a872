using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Forwarding;

/// <summary>How often in a row labeling refused a study, when it last did and why.</summary>
public sealed record StudyRefusal(int Attempts, DateTimeOffset At, string Error);

/// <summary>
/// What labeling is known to have: the digests of instances its archive stored and, per study, the instance count its
/// StudyReceived fact holds; and the studies labeling keeps refusing, so that their count survives a restart. An append-only text file beside the ingest store (<c>forwarding/ledger</c>), one line per
/// fact, synced after each batch. It only ever lags behind labeling: a line is written after labeling answered, so a
/// crash before the write makes the forwarder send that batch again, which labeling takes without a second effect (the
/// archive upserts by SOP Instance UID and keeps blobs by digest; recordStudyReceived of a known count adds nothing).
/// Losing the file altogether costs a re-send of everything, never a loss.
/// </summary>
public sealed class ForwardingLedger(IOptions<InferenceOptions> inference, ILogger<ForwardingLedger> logger) : IDisposable
{
    private const string StoredLine = "stored";
    private const string RecordedLine = "recorded";
    private const string RefusedLine = "refused";
    private const string ClearedLine = "cleared";

    private readonly Lock _gate = new();
    private readonly HashSet<string> _stored = [];
    private readonly Dictionary<string, int> _recorded = [];
    private readonly Dictionary<string, StudyRefusal> _refusals = [];
    private FileStream? _file;

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetFullPath(inference.Value.StoragePath), "forwarding", "ledger");

    /// <summary>Reads the file (cutting off a line a crash left unfinished) and opens it for appending.</summary>
    public void Open()
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var file = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var text = new StreamReader(file, Encoding.ASCII, detectEncodingFromByteOrderMarks: false, leaveOpen: true).ReadToEnd();
        var complete = text.LastIndexOf('\n') + 1;
        if (complete < text.Length)
        {
            logger.LogWarning("Cut an unfinished line off the end of {Ledger}; its batch will be sent to labeling again", Path);
            file.SetLength(complete);
        }
        lock (_gate)
        {
            foreach (var line in text[..complete].Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Apply(line);
            }
            _file = file;
            _file.Seek(0, SeekOrigin.End);
        }
    }

    public bool IsOpen
    {
        get
        {
            lock (_gate)
            {
                return _file is not null;
            }
        }
    }

    public bool IsStored(string digest)
    {
        lock (_gate)
        {
            return _stored.Contains(digest);
        }
    }

    /// <summary>The instance count labeling's StudyReceived fact holds for the study; 0 when it has none from us.</summary>
    public int RecordedCount(string studyInstanceUid)
    {
        lock (_gate)
        {
            return _recorded.GetValueOrDefault(studyInstanceUid);
        }
    }

    /// <summary>The studies labeling refused last time they were tried (cleared once one goes through).</summary>
    public IReadOnlyDictionary<string, StudyRefusal> Refusals()
    {
        lock (_gate)
        {
            return new Dictionary<string, StudyRefusal>(_refusals);
        }
    }

    public void MarkRefused(string studyInstanceUid, StudyRefusal refusal) =>
        Append([string.Create(CultureInfo.InvariantCulture,
            $"{RefusedLine} {studyInstanceUid} {refusal.Attempts} {refusal.At.ToUnixTimeMilliseconds()} {refusal.Error.ReplaceLineEndings(" ")}")]);

    public void MarkCleared(string studyInstanceUid) => Append([$"{ClearedLine} {studyInstanceUid}"]);

    public void MarkStored(IEnumerable<string> digests) => Append(digests.Select(digest => $"{StoredLine} {digest}"));

    public void MarkRecorded(string studyInstanceUid, int instanceCount) =>
        Append([string.Create(CultureInfo.InvariantCulture, $"{RecordedLine} {studyInstanceUid} {instanceCount}")]);

    public void Dispose()
    {
        lock (_gate)
        {
            _file?.Dispose();
            _file = null;
        }
    }

    private void Append(IEnumerable<string> lines)
    {
        var text = string.Concat(lines.Select(line => line + "\n"));
        if (text.Length == 0)
        {
            return;
        }
        lock (_gate)
        {
            var file = _file ?? throw new InvalidOperationException("the forwarding ledger is not open");
            file.Write(Encoding.ASCII.GetBytes(text));
            file.Flush(flushToDisk: true);
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Apply(line);
            }
        }
    }

    private void Apply(string line)
    {
        // A refusal's error is the rest of its line; the other kinds have no spaces in their fields.
        var fields = line.Split(' ', 5);
        switch (fields)
        {
            case [RefusedLine, var study, var count, var at, var error]
                when int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var attempts)
                    && long.TryParse(at, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds):
                _refusals[study] = new StudyRefusal(attempts, DateTimeOffset.FromUnixTimeMilliseconds(milliseconds), error);
                break;
            case [ClearedLine, var study]:
                _refusals.Remove(study);
                break;
            case [StoredLine, var digest]:
                _stored.Add(digest);
                break;
            case [RecordedLine, var study, var count] when int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var instances):
                _recorded[study] = Math.Max(instances, _recorded.GetValueOrDefault(study));
                break;
            default:
                // Not ours to guess at: what it stood for is sent again, which labeling takes without a second effect.
                logger.LogWarning("Ignored an unreadable line in {Ledger}: {Line}", Path, line);
                break;
        }
    }
}
