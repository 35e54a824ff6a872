using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Cl2.Inference.Ingest;

/// <summary>
/// Moves a store of the layout before packs (<c>blobs/xx/&lt;sha256&gt;.dcm</c> and <c>index.journal</c>, one line
/// <c>{first 8 hex digits of the SHA-256 of the JSON} {json}</c> per instance) into packs, once, at start. Safe to
/// interrupt: the journal is renamed only after every record is durable in a pack, and records already imported are
/// recognised by their digest when the import runs again.
/// </summary>
internal static class EarlierLayoutImport
{
    private const int ChecksumLength = 8;
    private const int BatchSize = 256;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Imports what the earlier journal holds into <paramref name="packs"/> and adds it to <paramref name="replayed"/>;
    /// returns how many instances were imported.</summary>
    public static int Run(string folder, InstancePacks packs, List<(StoredInstance Record, PackLocation Location)> replayed)
    {
        var journal = Path.Combine(folder, "index.journal");
        if (!File.Exists(journal))
        {
            return 0;
        }
        var known = replayed.Select(entry => entry.Record.Digest).ToHashSet();
        var imported = 0;
        foreach (var batch in Records(journal).Where(record => known.Add(record.Digest)).Chunk(BatchSize))
        {
            var entries = batch.Select(record => new PackEntry(record, File.ReadAllBytes(Path.Combine(folder, "blobs", record.Digest[..2], record.Digest + ".dcm")))).ToList();
            var locations = packs.Append(entries);
            replayed.AddRange(batch.Zip(locations));
            imported += batch.Length;
        }
        File.Move(journal, journal + ".imported", overwrite: true);
        Fsync.Directory(folder);
        Directory.Delete(Path.Combine(folder, "blobs"), recursive: true);
        return imported;
    }

    /// <summary>The journal's records up to the first incomplete or corrupt line (the tail of a commit never acknowledged).</summary>
    private static IEnumerable<StoredInstance> Records(string journal)
    {
        foreach (var line in File.ReadLines(journal, Encoding.UTF8))
        {
            if (line.Length <= ChecksumLength + 1 || line[ChecksumLength] != ' ')
            {
                yield break;
            }
            var json = line[(ChecksumLength + 1)..];
            if (line[..ChecksumLength] != Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..ChecksumLength])
            {
                yield break;
            }
            StoredInstance? record;
            try
            {
                record = JsonSerializer.Deserialize<StoredInstance>(json, Json);
            }
            catch (JsonException)
            {
                yield break;
            }
            if (record is null)
            {
                yield break;
            }
            yield return record;
        }
    }
}
