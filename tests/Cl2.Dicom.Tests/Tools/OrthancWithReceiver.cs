using Cl2.Dicom.Network.Client;
using Cl2.Dicom.Tests.Network;

namespace Cl2.Dicom.Tests.Tools;

/// <summary>
/// One Orthanc for the tool tests against it, knowing our `scp` receiver as modality <see cref="ReceiverAeTitle"/>
/// (its C-MOVE destination), and the result of `./cl2 dicom store` of the corpus into it: a copy of every storable file with a
/// SOP Instance UID of its own (Orthanc keeps the first copy of a duplicate, so a second one could not be compared).
/// </summary>
public sealed class OrthancWithReceiver : IAsyncLifetime
{
    public const string ReceiverAeTitle = "CL2SCP";

    /// <summary>What the tools call themselves by default (-aet).</summary>
    public const string CallingAeTitle = "CL2SCU";

    private ScpTool? _receiver;
    private OrthancPeer? _orthanc;
    private string? _copies;

    internal ScpTool Receiver => _receiver ?? throw new InvalidOperationException("the fixture has not started");
    public OrthancPeer Orthanc => _orthanc ?? throw new InvalidOperationException("the fixture has not started");

    /// <summary>The files sent, by SOP Instance UID.</summary>
    public IReadOnlyDictionary<string, string> Sent { get; private set; } = new Dictionary<string, string>();

    public (int ExitCode, string Output, string Error) Store { get; private set; }

    public string[] Peer => ["-aec", Orthanc.AeTitle, "127.0.0.1", Orthanc.DicomPort.ToString()];

    public async Task InitializeAsync()
    {
        _receiver = await ScpTool.StartAsync(ReceiverAeTitle);
        // Orthanc answers C-FIND/C-MOVE/C-GET only to AEs it knows, so the tools' calling AE is a modality too.
        _orthanc = await OrthancPeer.StartAsync(new Dictionary<string, (string, int)>
        {
            [ReceiverAeTitle] = ("127.0.0.1", _receiver.Port),
            [CallingAeTitle] = ("127.0.0.1", _receiver.Port),
        });
        _copies = Directory.CreateTempSubdirectory("cl2-orthanc-sent-").FullName;
        var sent = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        var unique = (await ToolCorpus.StorableFilesAsync()).GroupBy(f => f.Header.MediaStorageSopInstanceUid).Where(g => g.Count() == 1).Select(g => g.Single());
        await Parallel.ForEachAsync(unique, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (file, _) =>
        {
            // Orthanc re-encodes what it receives with DCMTK; a copy already in DCMTK's encoding comes back unchanged.
            var copy = Path.Combine(_copies, Path.GetFileName(file.Path));
            if ((await Dcmtk.RunAsync("dcmconv", ["-q", "-p", file.Path, copy])).ExitCode == 0)
            {
                // dcmconv gives a file without SOP class and instance in its meta header new ones: key by the copy's.
                sent[(await HeaderAsync(copy)).MediaStorageSopInstanceUid] = copy;
            }
        });
        Sent = sent;
        Store = DicomToolRunner.Run(["store", .. Peer, _copies]);
    }

    public async Task DisposeAsync()
    {
        if (_orthanc is not null)
        {
            await _orthanc.DisposeAsync();
        }
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }
        if (_copies is not null)
        {
            Directory.Delete(_copies, recursive: true);
        }
    }

    /// <summary>The data set bytes Orthanc holds for an instance (its file, meta header aside).</summary>
    public async Task<byte[]?> StoredDataSetAsync(string sopInstanceUid)
    {
        using var lookup = await Orthanc.Http.PostAsync(new Uri("tools/lookup", UriKind.Relative), new StringContent(sopInstanceUid));
        var found = System.Text.Json.JsonDocument.Parse(await lookup.Content.ReadAsStringAsync()).RootElement;
        var instance = found.EnumerateArray().FirstOrDefault(e => e.GetProperty("Type").GetString() == "Instance");
        if (instance.ValueKind == System.Text.Json.JsonValueKind.Undefined)
        {
            return null;
        }
        var file = await Orthanc.Http.GetByteArrayAsync(new Uri($"instances/{instance.GetProperty("ID").GetString()}/file", UriKind.Relative));
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, file);
            return await Corpus.DataSetBytesAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static async Task<Part10FileHeader> HeaderAsync(string path) => await Part10FileHeader.ReadAsync(path, CancellationToken.None);
}
