using Microsoft.Extensions.Options;

namespace Cl2.Inference.Processing;

/// <summary>
/// Which studies have an outcome recorded in labeling, and at how many instances (<c>{StoragePath}/processing/ledger</c>,
/// one line per outcome, appended and flushed after labeling took it). A study with more instances than its line says is
/// processed again; after a crash between recording and the line the study is processed again and recorded under the same
/// result id (<c>StudyProcessor</c>), so labeling keeps the one outcome it has.
/// </summary>
public sealed class ProcessingLedger(IOptions<InferenceOptions> inference) : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetFullPath(inference.Value.StoragePath), "processing", "ledger");
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _processed = [];
    private StreamWriter? _writer;

    public void Open()
    {
        lock (_gate)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
            if (File.Exists(_file))
            {
                foreach (var line in File.ReadLines(_file))
                {
                    // "<study> <instances>"; an unfinished last line (a crash mid-write) has no count and is skipped.
                    var parts = line.Split(' ');
                    if (parts.Length == 2 && int.TryParse(parts[1], out var count))
                    {
                        _processed[parts[0]] = Math.Max(count, _processed.GetValueOrDefault(parts[0]));
                    }
                }
            }
            _writer = new StreamWriter(new FileStream(_file, FileMode.Append, FileAccess.Write, FileShare.Read)) { NewLine = "\n" };
        }
    }

    public int ProcessedCount(string studyInstanceUid)
    {
        lock (_gate)
        {
            return _processed.GetValueOrDefault(studyInstanceUid);
        }
    }

    public void MarkProcessed(string studyInstanceUid, int instanceCount)
    {
        lock (_gate)
        {
            var writer = _writer ?? throw new InvalidOperationException("The processing ledger is not open.");
            // In memory first: should the line not be written, this run still does not process the study again.
            _processed[studyInstanceUid] = instanceCount;
            writer.WriteLine($"{studyInstanceUid} {instanceCount}");
            writer.Flush();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _writer?.Dispose();
            _writer = null;
        }
    }
}
