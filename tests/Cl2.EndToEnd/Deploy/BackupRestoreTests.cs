using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;

using static Cl2.EndToEnd.LabelingHttp;

namespace Cl2.EndToEnd.Deploy;

/// <summary>
/// The backup and restore of docs/deploy.md ("Backup and restore"), done on a running platform (labeling and inference,
/// each its own process): PostgreSQL dumped first (<c>pg_dump -Fc</c>), then the blob store and inference's ingest store
/// copied; restored into a fresh cluster and fresh folders, with inference's forwarding ledger left behind, and labeling
/// and inference started on them.
/// </summary>
public sealed class BackupRestoreTests
{
    [Fact]
    public async Task a_restore_into_a_fresh_cluster_finds_every_study_label_revision_and_model_version_of_the_backup()
    {
        var root = Directory.CreateTempSubdirectory("cl2-e2e-backup-").FullName;
        var backup = Directory.CreateDirectory(Path.Combine(root, "backup")).FullName;
        var (beforeDump, afterDump) = (NameBasedUid("before-dump"), NameBasedUid("after-dump"));
        string labelBlob, artifactBlob, revision1, revision2, versionId;

        await using (var original = await PostgresCluster.CreateAsync())
        {
            var launcher = new PlatformLauncher(Path.Combine(root, "original"), original.ConnectionString);
            await using var labeling = await StartLabelingAsync(launcher);
            await using var inference = await StartInferenceAsync(launcher);
            using var http = new HttpClient { BaseAddress = new Uri(launcher.LabelingUrl), Timeout = TimeSpan.FromMinutes(2) };
            BackgroundProcess[] services = [labeling, inference];
            await Eventually.IsTrueAsync(() => IsReadyAsync(http), services, "labeling ready");

            await SendAsync(launcher, root, beforeDump);
            await Eventually.IsTrueAsync(() => IsArchivedAsync(http, beforeDump), services, "the first study in labeling's archive");
            var datasetId = (await GraphQLAsync(http, "mutation { createDataset(input: { name: \"backup\" }) { id } }"))
                .GetProperty("createDataset").GetProperty("id").GetString()!;
            var caseId = (await GraphQLAsync(http, "mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
                new { input = new { datasetId, studyInstanceUids = new[] { beforeDump } } })).GetProperty("addCases")[0].GetProperty("id").GetString()!;
            labelBlob = await UploadAsync(http, "mask of the first study");
            revision1 = await SubmitLabelAsync(http, caseId, 0, labelBlob);
            artifactBlob = await UploadAsync(http, "weights of version 1");
            var modelId = (await GraphQLAsync(http, "mutation { registerModel(input: { name: \"liver-backup\", task: \"liver-ct\" }) { id } }"))
                .GetProperty("registerModel").GetProperty("id").GetString()!;
            versionId = (await GraphQLAsync(http, "mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }", new
            {
                input = new
                {
                    modelId, metrics = new[] { new { name = "dice", value = 0.8 } }, artifactDigest = artifactBlob, labelRevisionIds = new[] { revision1 },
                    dataDigest = labelBlob, codeVersion = "git:backup",
                },
            })).GetProperty("registerModelVersion").GetProperty("id").GetString()!;

            // The order docs/deploy.md gives: the database first, then the stores, so every blob the dump names is copied.
            await original.DumpAsync(Path.Combine(backup, "cl2.dump"));
            await SendAsync(launcher, root, afterDump);
            await Eventually.IsTrueAsync(() => IsArchivedAsync(http, afterDump), services, "the second study in labeling's archive");
            revision2 = await SubmitLabelAsync(http, caseId, 1, await UploadAsync(http, "a correction after the dump"));
            CopyFolder(Path.Combine(launcher.State, "data", "blobs"), Path.Combine(backup, "blobs"));
            CopyFolder(Path.Combine(launcher.State, "data", "inference"), Path.Combine(backup, "inference"));
        }

        await using var restored = await PostgresCluster.CreateAsync();
        await restored.RestoreAsync(Path.Combine(backup, "cl2.dump"));
        var fresh = new PlatformLauncher(Path.Combine(root, "restored"), restored.ConnectionString);
        CopyFolder(Path.Combine(backup, "blobs"), Path.Combine(fresh.State, "data", "blobs"));
        CopyFolder(Path.Combine(backup, "inference"), Path.Combine(fresh.State, "data", "inference"));
        // What labeling had from inference is what the dump holds, not what the ledger says: inference forwards all it holds again.
        File.Delete(Path.Combine(fresh.State, "data", "inference", "forwarding", "ledger"));
        await using var restoredLabeling = await StartLabelingAsync(fresh);
        using var restoredHttp = new HttpClient { BaseAddress = new Uri(fresh.LabelingUrl), Timeout = TimeSpan.FromMinutes(2) };
        await Eventually.IsTrueAsync(() => IsReadyAsync(restoredHttp), [restoredLabeling], "the restored labeling ready");

        Assert.True(await IsArchivedAsync(restoredHttp, beforeDump), "the study archived before the dump is found by QIDO-RS after the restore");
        var revision = (await GraphQLAsync(restoredHttp, "query($id: ID!) { labelRevision(id: $id) { revision blobDigest } }", new { id = revision1 }))
            .GetProperty("labelRevision");
        Assert.Equal((1, labelBlob), (revision.GetProperty("revision").GetInt32(), revision.GetProperty("blobDigest").GetString()));
        Assert.Equal(HashOf("mask of the first study"), await DownloadHashAsync(restoredHttp, labelBlob));
        var version = (await GraphQLAsync(restoredHttp, "query($id: ID!) { modelVersion(id: $id) { number artifactDigest lineage { labelRevisionIds } } }",
            new { id = versionId })).GetProperty("modelVersion");
        Assert.Equal((1, artifactBlob, revision1), (version.GetProperty("number").GetInt32(), version.GetProperty("artifactDigest").GetString(),
            version.GetProperty("lineage").GetProperty("labelRevisionIds")[0].GetString()));
        Assert.Equal(HashOf("weights of version 1"), await DownloadHashAsync(restoredHttp, artifactBlob));
        // What a restore loses: every event after the dump.
        Assert.Equal(JsonValueKind.Null, (await GraphQLAsync(restoredHttp, "query($id: ID!) { labelRevision(id: $id) { id } }", new { id = revision2 }))
            .GetProperty("labelRevision").ValueKind);
        Assert.False(await IsArchivedAsync(restoredHttp, afterDump), "the study forwarded after the dump is not in the restored archive until inference sends it again");

        await using var restoredInference = await StartInferenceAsync(fresh);
        await Eventually.IsTrueAsync(() => IsArchivedAsync(restoredHttp, afterDump), [restoredLabeling, restoredInference],
            "inference to forward the study received after the dump to the restored labeling again");
        Directory.Delete(root, recursive: true);
    }

    private static Task<BackgroundProcess> StartLabelingAsync(PlatformLauncher launcher) =>
        launcher.StartAsync(PlatformLauncher.Labeling, new Dictionary<string, string>(PlatformLauncher.HeaderIdentity) { ["Logging__LogLevel__Default"] = "Warning" });

    private static Task<BackgroundProcess> StartInferenceAsync(PlatformLauncher launcher) =>
        launcher.StartAsync(PlatformLauncher.Inference, new Dictionary<string, string>(PlatformLauncher.HeaderIdentity)
        {
            ["Logging__LogLevel__Default"] = "Warning",
            ["Inference__Processing__Enabled"] = "false",
            ["Inference__Forwarding__QuietPeriod"] = "00:00:00.500",
            ["Inference__Forwarding__PollInterval"] = "00:00:00.200",
        });

    private static string NameBasedUid(string name) => Cl2.Dicom.Coding.NameBasedUid.For($"backup-restore/{Guid.NewGuid()}/{name}");

    /// <summary>One instance of the study to inference's listener by storescu.</summary>
    private static async Task SendAsync(PlatformLauncher launcher, string root, string studyInstanceUid)
    {
        var file = Path.Combine(root, $"{studyInstanceUid}.dcm");
        await File.WriteAllBytesAsync(file, ArchivedStudies.Instance(studyInstanceUid));
        var port = launcher.DicomPort.ToString(CultureInfo.InvariantCulture);
        for (var attempt = 1; ; attempt++)
        {
            // The listener opens its port once its store is replayed; until then storescu cannot connect.
            var sent = await Dcmtk.RunAsync("storescu", ["-aet", "STORESCU", "-aec", "CL2", "127.0.0.1", port, file]);
            if (sent.ExitCode == 0 || attempt == 120)
            {
                sent.EnsureSuccess("storescu");
                return;
            }
            await Task.Delay(500);
        }
    }

    private static async Task<bool> IsArchivedAsync(HttpClient http, string studyInstanceUid)
    {
        using var response = await http.GetAsync(new Uri($"dicomweb/studies?StudyInstanceUID={studyInstanceUid}", UriKind.Relative));
        return response.StatusCode == HttpStatusCode.OK
            && JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetArrayLength() == 1;
    }

    private static async Task<string> UploadAsync(HttpClient http, string text)
    {
        using var content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(text));
        content.Headers.ContentType = new("application/octet-stream");
        using var response = await http.PostAsync(new Uri("blobs", UriKind.Relative), content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /blobs: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("digest").GetString()!;
    }

    private static async Task<string> SubmitLabelAsync(HttpClient http, string caseId, int baseRevision, string blobDigest) =>
        (await GraphQLAsync(http, "mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id } }",
            new { input = new { caseId, baseRevision, kind = "SEGMENTATION", blobDigest } })).GetProperty("submitLabel").GetProperty("id").GetString()!;

    private static async Task<string> DownloadHashAsync(HttpClient http, string digest) =>
        Convert.ToHexStringLower(SHA256.HashData(await http.GetByteArrayAsync(new Uri($"blobs/{digest}", UriKind.Relative))));

    private static string HashOf(string text) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
