using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Cl2.Inference.Ingest;

/// <summary>
/// The index as an append-only journal: one line per durable instance, <c>{checksum} {json}\n</c>, where the checksum is
/// the first 8 hex digits of the SHA-256 of the JSON. A group commit appends its lines with one write and one fsync.
/// Replay stops at the first line that is incomplete or fails its checksum: that can only be the tail of a commit the
/// process died in, which nobody was told about, so it is cut off.
/// </summary>
internal sealed class IngestJournal : IDisposable
{
    private const int ChecksumLength = 8;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly FileStream _file;

    private IngestJournal(FileStream file) => _file = file;

    public static (IngestJournal Journal, List<StoredInstance> Replayed, long DroppedBytes) Open(string path)
    {
        var replayed = new List<StoredInstance>();
        var bytes = File.Exists(path) ? File.ReadAllBytes(path) : [];
        var valid = 0;
        while (valid < bytes.Length)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', valid);
            if (end < 0 || TryParse(bytes.AsSpan(valid, end - valid)) is not { } instance)
            {
                break;
            }
            replayed.Add(instance);
            valid = end + 1;
        }
        var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, bufferSize: 0);
        if (file.Length != valid)
        {
            file.SetLength(valid);
            file.Flush(flushToDisk: true);
        }
        file.Position = valid;
        return (new IngestJournal(file), replayed, bytes.Length - valid);
    }

    /// <summary>Appends the records and returns once they are on disk.</summary>
    public void Append(IReadOnlyList<StoredInstance> instances)
    {
        var text = new StringBuilder();
        foreach (var instance in instances)
        {
            var json = JsonSerializer.Serialize(instance, Json);
            text.Append(Checksum(json)).Append(' ').Append(json).Append('\n');
        }
        _file.Write(Encoding.UTF8.GetBytes(text.ToString()));
        _file.Flush(flushToDisk: true);
    }

    public void Dispose() => _file.Dispose();

    private static StoredInstance? TryParse(ReadOnlySpan<byte> line)
    {
        if (line.Length <= ChecksumLength + 1 || line[ChecksumLength] != ' ')
        {
            return null;
        }
        var json = Encoding.UTF8.GetString(line[(ChecksumLength + 1)..]);
        if (Encoding.ASCII.GetString(line[..ChecksumLength]) != Checksum(json))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<StoredInstance>(json, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Checksum(string json) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..ChecksumLength];
}
