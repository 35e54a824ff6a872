using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cl2.Inference.Delivery;

/// <summary>One fact of the outbox journal, a JSON object on a line of its own.</summary>
/// <param name="Kind">queued (the delivery and its objects), failed / dead (an attempt that did not go through, and whether
/// it was the last), reported (labeling recorded that attempt's outcome), delivered (sent, and labeling recorded it),
/// requeued (an admin asked to try a dead-lettered delivery again).</param>
public sealed record OutboxLine(
    string Kind,
    string Delivery,
    DateTimeOffset At,
    Guid? ResultId = null,
    string? Destination = null,
    string? StudyInstanceUid = null,
    string? CallingAeTitle = null,
    string? CalledAeTitle = null,
    IReadOnlyList<OutboxObject>? Objects = null,
    int? Attempt = null,
    string? Error = null)
{
    public const string Queued = "queued";
    public const string Failed = "failed";
    public const string Dead = "dead";
    public const string Reported = "reported";
    public const string Delivered = "delivered";
    public const string Requeued = "requeued";
}

/// <summary>An object of a delivery: its content address in the outbox and its SOP Instance UID.</summary>
public sealed record OutboxObject(string Digest, string SopInstanceUid);

/// <summary>
/// The outbox's append-only journal (<c>delivery/journal</c>): each line is synced to disk before the call that wrote it
/// returns, so a delivery acknowledged to its caller, and each outcome, survive a crash. A line a crash left unfinished
/// is cut off when the journal is opened; what it stood for happens again (a send, a record), which the receivers take
/// without a second effect.
/// </summary>
internal sealed class OutboxJournal(string path) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private FileStream? _file;

    public string Path { get; } = path;

    /// <summary>Opens the journal for appending and returns the lines it holds; <paramref name="unreadable"/> hears of any
    /// line that is not a fact (the unfinished last one is cut off silently but for that report).</summary>
    public IReadOnlyList<OutboxLine> Open(Action<string> unreadable)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var file = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var text = new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true).ReadToEnd();
        var complete = text.LastIndexOf('\n') + 1;
        if (complete < text.Length)
        {
            unreadable($"an unfinished last line (cut off; what it recorded happens again): {text[complete..]}");
            file.SetLength(Encoding.UTF8.GetByteCount(text.AsSpan(0, complete)));
        }
        var lines = new List<OutboxLine>();
        foreach (var line in text[..complete].Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            try
            {
                lines.Add(JsonSerializer.Deserialize<OutboxLine>(line, Json) ?? throw new JsonException("null"));
            }
            catch (JsonException)
            {
                unreadable(line);
            }
        }
        file.Seek(0, SeekOrigin.End);
        _file = file;
        return lines;
    }

    /// <summary>
    /// Rewrites the journal with only the lines <paramref name="keep"/> takes, in their order: written beside it, synced,
    /// then renamed over it (and the folder synced), so a crash leaves either the old journal or the new one, whole.
    /// </summary>
    public void Compact(Func<OutboxLine, bool> keep)
    {
        var file = _file ?? throw new InvalidOperationException("the delivery outbox journal is not open");
        file.Seek(0, SeekOrigin.Begin);
        var text = new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true).ReadToEnd();
        var compacted = Path + ".compacting";
        using (var output = new FileStream(compacted, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                OutboxLine? fact;
                try
                {
                    fact = JsonSerializer.Deserialize<OutboxLine>(line, Json);
                }
                catch (JsonException)
                {
                    // Reported and ignored when the journal was opened; not carried over.
                    continue;
                }
                if (fact is not null && keep(fact))
                {
                    output.Write(Encoding.UTF8.GetBytes(line + "\n"));
                }
            }
            output.Flush(flushToDisk: true);
        }
        file.Dispose();
        _file = null;
        File.Move(compacted, Path, overwrite: true);
        Ingest.Fsync.Directory(System.IO.Path.GetDirectoryName(Path)!);
        _file = new FileStream(Path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        _file.Seek(0, SeekOrigin.End);
    }

    public void Append(OutboxLine line)
    {
        var file = _file ?? throw new InvalidOperationException("the delivery outbox journal is not open");
        file.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(line, Json) + "\n"));
        file.Flush(flushToDisk: true);
    }

    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
    }
}
