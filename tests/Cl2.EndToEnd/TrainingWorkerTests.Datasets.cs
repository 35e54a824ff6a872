using System.Formats.Tar;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Sdk;

namespace Cl2.EndToEnd;

/// <summary>
/// A job on a dataset: a liver CT cohort from <c>./cl2 synth</c> stored into labeling's archive with STOW-RS, a fixed
/// split, masks uploaded to /blobs and submitted as labels (one training case unlabelled, one validation case's mask off
/// its series' grid); the worker trains on exactly the usable train/validation cases, and a second job fine-tunes from the first
/// job's version.
/// </summary>
public sealed partial class TrainingWorkerTests
{
    private const int DatasetCases = 8;

    /// <summary>A 16³ synthetic liver cohort's own grid (x, y, z in mm), named in the tests' recipes: on the workload's
    /// 1.5 × 1.5 × 2 mm each case would be 253 × 253 × 120 voxels, too many for the suite's time.</summary>
    private static readonly double[] Liver16Grid = [23.75, 23.75, 15.0];

    [Fact]
    public async Task a_dataset_job_trains_on_the_labelled_cases_from_the_archive_and_fine_tunes_from_its_base_version()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var state = Directory.CreateTempSubdirectory("cl2-dataset-job-").FullName;
        var (labelingProcess, labelingUrl) = await StartLabelingAsync(postgres, state);
        await using var labeling = labelingProcess;
        using var http = new HttpClient { BaseAddress = new Uri(labelingUrl), Timeout = TimeSpan.FromSeconds(200) };

        var cohort = Path.Combine(state, "cohort");
        (await ProcessRunner.RunAsync(Path.Combine(Repository.Root, "cl2"),
            ["synth", "--task", "liver-ct", "--out", cohort, "--cases", $"{DatasetCases}", "--size", "16", "--seed", "5"], TimeSpan.FromMinutes(5)))
            .EnsureSuccess("./cl2 synth");
        var cases = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(cohort, "cohort.json")))!["cases"]!.AsArray();
        foreach (var item in cases)
        {
            await StoreSeriesAsync(http, Path.Combine(cohort, item!["series"]!["CT"]!.GetValue<string>()));
        }

        var datasetId = (await LabelingHttp.GraphQLAsync(http, "mutation { createDataset(input: { name: \"liver e2e\" }) { id } }"))
            .GetProperty("createDataset").GetProperty("id").GetString()!;
        var studies = cases.Select(item => item!["studyInstanceUid"]!.GetValue<string>()).ToList();
        var caseIds = (await LabelingHttp.GraphQLAsync(http, "mutation($input: AddCasesInput!) { addCases(input: $input) { id studyInstanceUid } }",
                new { input = new { datasetId, studyInstanceUids = studies } }))
            .GetProperty("addCases").EnumerateArray().ToDictionary(item => item.GetProperty("studyInstanceUid").GetString()!, item => item.GetProperty("id").GetString()!);

        // Split 5 / 2 / 1 (case ids are random, so which case lands where differs per run). The first training case stays
        // unlabelled and the first validation case's mask is shifted 5 mm off its series; every other case, the test
        // case included, is labelled as synthesised.
        var split = (await LabelingHttp.GraphQLAsync(http,
                "mutation($input: FixDatasetSplitInput!) { fixDatasetSplit(input: $input) { split { trainCaseIds validationCaseIds testCaseIds } } }",
                new { input = new { datasetId, validationFraction = 0.25, testFraction = 0.125, seed = 2 } }))
            .GetProperty("fixDatasetSplit").GetProperty("split");
        string[] Part(string name) => [.. split.GetProperty(name).EnumerateArray().Select(id => id.GetString()!)];
        Assert.Equal((5, 2, 1), (Part("trainCaseIds").Length, Part("validationCaseIds").Length, Part("testCaseIds").Length));
        var (unlabelled, shifted) = (Part("trainCaseIds")[0], Part("validationCaseIds")[0]);
        var revisions = new Dictionary<string, string>();
        for (var index = 0; index < DatasetCases; index++)
        {
            var caseId = caseIds[studies[index]];
            if (caseId == unlabelled)
            {
                continue;
            }
            var header = Path.Combine(cohort, cases[index]!["labels"]!.GetValue<string>());
            var digest = await UploadMaskAsync(http, header, shiftMm: caseId == shifted ? 5 : 0, Path.Combine(state, $"mask-{index}"));
            revisions[caseId] = (await LabelingHttp.GraphQLAsync(http, "mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id } }",
                    new { input = new { caseId, baseRevision = 0, kind = "SEGMENTATION", blobDigest = digest } }))
                .GetProperty("submitLabel").GetProperty("id").GetString()!;
        }
        var expected = Part("trainCaseIds").Concat(Part("validationCaseIds")).Where(id => id != unlabelled && id != shifted)
            .Select(id => revisions[id]).Order().ToList();
        const int skipped = 2;

        var modelId = (await LabelingHttp.GraphQLAsync(http, "mutation { registerModel(input: { name: \"liver-dataset\", task: \"liver-ct\" }) { id } }"))
            .GetProperty("registerModel").GetProperty("id").GetString()!;
        // A recipe out of range is refused when requested, not when a worker runs it.
        using (var refused = await http.PostAsJsonAsync("graphql", new
        {
            query = "mutation($input: RequestTrainingInput!) { requestTraining(input: $input) { id } }",
            variables = new { input = new { modelId, datasetId, trigger = "bad recipe", recipe = new { epochs = 0, learningRate = -1.0 } } },
        }))
        {
            Assert.Contains("recipe.epochs is 1 to", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        await using var worker = await StartWorkerAsync("worker-d", labelingUrl, state, new Dictionary<string, string> { ["Training__Jobs__LeaseSeconds"] = "120" });

        // Job 1: from fresh weights, two epochs.
        var trained = await RunJobAsync(http, worker, modelId, datasetId, baseVersionId: null, new { epochs = 2, spacingMm = Liver16Grid });
        Assert.Equal(expected, trained.LabelRevisionIds);
        Assert.Null(trained.BaseVersionId);
        Assert.Contains("dice_liver", trained.Metrics.Keys);
        var lastEpoch = trained.Job.GetProperty("progress").EnumerateArray().Last().GetProperty("metrics").EnumerateArray()
            .ToDictionary(metric => metric.GetProperty("name").GetString()!, metric => metric.GetProperty("value").GetDouble());
        Assert.Equal(skipped, lastEpoch["cases_skipped"]);
        Assert.Equal(expected.Count, lastEpoch["cases_train"] + lastEpoch["cases_validation"]);
        Assert.Contains("does not lie on series", worker.Output, StringComparison.Ordinal);

        // Job 2: fine-tunes from job 1's version with a learning rate of 0, so the weights must come out as job 1's —
        // they can only if the base's weights were loaded — and score the same on the same validation cases. Its recipe
        // names no grid: a fine-tune keeps its base's.
        var tuned = await RunJobAsync(http, worker, modelId, datasetId, trained.VersionId, new { epochs = 1, learningRate = 0.0 });
        Assert.Equal(trained.VersionId, tuned.BaseVersionId);
        Assert.Equal(expected, tuned.LabelRevisionIds);
        Assert.Equal(trained.DataDigest, tuned.DataDigest);
        var trainedManifest = await ManifestAsync(http, trained.ArtifactDigest, Path.Combine(state, "trained"));
        var tunedManifest = await ManifestAsync(http, tuned.ArtifactDigest, Path.Combine(state, "tuned"));
        Assert.Equal(trainedManifest["weightsDigest"]!.GetValue<string>(), tunedManifest["weightsDigest"]!.GetValue<string>());
        Assert.Equal(trained.VersionId, tunedManifest["lineage"]!["baseVersion"]!.GetValue<string>());
        Assert.Equal(Liver16Grid, tunedManifest["input"]!["spacingMm"]!.AsArray().Select(mm => mm!.GetValue<double>()));
        Assert.Equal(trained.Metrics["dice_liver"], tuned.Metrics["dice_liver"], 6);

        // Job 3: the same without a base: fresh weights, which are not job 1's, so job 2's equality is not trivial.
        var fresh = await RunJobAsync(http, worker, modelId, datasetId, baseVersionId: null, new { epochs = 1, learningRate = 0.0, spacingMm = Liver16Grid });
        var freshManifest = await ManifestAsync(http, fresh.ArtifactDigest, Path.Combine(state, "fresh"));
        Assert.NotEqual(trainedManifest["weightsDigest"]!.GetValue<string>(), freshManifest["weightsDigest"]!.GetValue<string>());

        // The worker calls labeling as its own service identity, not as the development default user.
        var registeredBy = (await LabelingHttp.GraphQLAsync(http, "query($id: ID!) { modelVersion(id: $id) { registeredBy } }", new { id = trained.VersionId }))
            .GetProperty("modelVersion").GetProperty("registeredBy").GetString();
        Assert.Equal("training-worker", registeredBy);

        // The worker records the numerics it trained on in the manifest's lineage.
        var numerics = trainedManifest["lineage"]!["numerics"]!;
        Assert.Equal("cpu", numerics["device"]!.GetValue<string>());
        Assert.Contains(numerics["oneDnnMode"]!.GetValue<string>(), new[] { "auto", "on", "off" });
        Assert.Equal("float32", numerics["precision"]!.GetValue<string>());

        // Job 4: fine-tuning from a base whose weights went bad (NaN) fails as NON_FINITE_LOSS and registers nothing.
        var poisoned = await RegisterPoisonedVersionAsync(http, modelId, trained.ArtifactDigest, Path.Combine(state, "poisoned"));
        var failed = await RunFailingJobAsync(http, worker, modelId, datasetId, poisoned, new { epochs = 3, spacingMm = Liver16Grid });
        Assert.StartsWith("NON_FINITE_LOSS: ", failed.GetProperty("failureReason").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("versionId").ValueKind);

        // Job 5: mixed precision asked of a CPU worker fails at once, saying what to do, and trains nothing.
        var autocast = await RunFailingJobAsync(http, worker, modelId, datasetId, baseVersionId: null, new { epochs = 1, spacingMm = Liver16Grid, precision = "BF16_AUTOCAST" });
        Assert.StartsWith("Precision bf16-autocast needs a CUDA device; this run is on cpu", autocast.GetProperty("failureReason").GetString(), StringComparison.Ordinal);
        Assert.Contains("Train with precision float32", autocast.GetProperty("failureReason").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, autocast.GetProperty("versionId").ValueKind);

        await HipDatasetJobAsync(http, worker, state);

        await worker.DisposeAsync();
        Directory.Delete(state, recursive: true);
    }

    /// <summary>
    /// A classification dataset without a fixed split: radiographs from <c>./cl2 synth --task hip-xray</c>, each labelled
    /// with a <c>cl2-classification/1</c> blob naming its DX series; every fifth case by id validates.
    /// </summary>
    private static async Task HipDatasetJobAsync(HttpClient http, BackgroundProcess worker, string state)
    {
        const int count = 6;
        var cohort = Path.Combine(state, "hip");
        (await ProcessRunner.RunAsync(Path.Combine(Repository.Root, "cl2"),
            ["synth", "--task", "hip-xray", "--out", cohort, "--cases", $"{count}", "--size", "64", "--seed", "5"], TimeSpan.FromMinutes(5)))
            .EnsureSuccess("./cl2 synth");
        var cases = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(cohort, "cohort.json")))!["cases"]!.AsArray();
        var datasetId = (await LabelingHttp.GraphQLAsync(http, "mutation { createDataset(input: { name: \"hip e2e\" }) { id } }"))
            .GetProperty("createDataset").GetProperty("id").GetString()!;
        var revisions = new List<string>();
        foreach (var item in cases)
        {
            await StoreSeriesAsync(http, Path.Combine(cohort, item!["series"]!["DX"]!.GetValue<string>()));
            var study = item["studyInstanceUid"]!.GetValue<string>();
            // The series UID as the archive reports it (QIDO-RS, DICOM JSON): what a labelling tool would reference.
            var series = JsonDocument.Parse(await http.GetStringAsync($"dicomweb/studies/{study}/series")).RootElement[0]
                .GetProperty("0020000E").GetProperty("Value")[0].GetString()!;
            var caseId = (await LabelingHttp.GraphQLAsync(http, "mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
                new { input = new { datasetId, studyInstanceUids = new[] { study } } })).GetProperty("addCases")[0].GetProperty("id").GetString()!;
            var label = new JsonObject
            {
                ["format"] = "cl2-classification/1",
                ["referencedSeriesInstanceUids"] = new JsonArray(series),
                ["labels"] = new JsonObject { ["fracture"] = item["fracture"]!.GetValue<bool>() },
            };
            var digest = await UploadBlobAsync(http, System.Text.Encoding.UTF8.GetBytes(label.ToJsonString()));
            revisions.Add((await LabelingHttp.GraphQLAsync(http, "mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id } }",
                    new { input = new { caseId, baseRevision = 0, kind = "CLASSIFICATION", blobDigest = digest } }))
                .GetProperty("submitLabel").GetProperty("id").GetString()!);
        }
        var modelId = (await LabelingHttp.GraphQLAsync(http, "mutation { registerModel(input: { name: \"hip-dataset\", task: \"hip-xray\" }) { id } }"))
            .GetProperty("registerModel").GetProperty("id").GetString()!;

        var trained = await RunJobAsync(http, worker, modelId, datasetId, baseVersionId: null, new { epochs = 1 });
        Assert.Equal(revisions.Order(), trained.LabelRevisionIds);
        var lastEpoch = trained.Job.GetProperty("progress").EnumerateArray().Last().GetProperty("metrics").EnumerateArray()
            .ToDictionary(metric => metric.GetProperty("name").GetString()!, metric => metric.GetProperty("value").GetDouble());
        Assert.Equal((count - (count / 5), count / 5, 0), (lastEpoch["cases_train"], lastEpoch["cases_validation"], lastEpoch["cases_skipped"]));
    }

    private sealed record RegisteredVersion(JsonElement Job, string VersionId, string? BaseVersionId, IReadOnlyList<string> LabelRevisionIds,
        string DataDigest, string ArtifactDigest, IReadOnlyDictionary<string, double> Metrics);

    private static async Task<RegisteredVersion> RunJobAsync(HttpClient http, BackgroundProcess worker, string modelId, string datasetId,
        string? baseVersionId, object recipe)
    {
        var jobId = (await LabelingHttp.GraphQLAsync(http, "mutation($input: RequestTrainingInput!) { requestTraining(input: $input) { id } }",
                new { input = new { modelId, datasetId, baseVersionId, trigger = "dataset e2e", recipe } }))
            .GetProperty("requestTraining").GetProperty("id").GetString()!;
        JsonElement job = default;
        await Eventually.IsTrueAsync(async () =>
        {
            job = (await LabelingHttp.GraphQLAsync(http, "query($id: ID!) { trainingJob(id: $id) { status versionId failureReason progress { epoch metrics { name value } } } }",
                new { id = jobId })).GetProperty("trainingJob");
            return job.GetProperty("status").GetString() switch
            {
                "FAILED" => throw new XunitException($"job {jobId} failed: {job.GetProperty("failureReason")}\n{worker.Output}"),
                "SUCCEEDED" => true,
                _ => false,
            };
        }, [worker], $"job {jobId} to succeed", timeoutSeconds: 180);
        var versionId = job.GetProperty("versionId").GetString()!;
        var version = (await LabelingHttp.GraphQLAsync(http,
                "query($id: ID!) { modelVersion(id: $id) { artifactDigest metrics { name value } lineage { baseVersionId labelRevisionIds dataDigest trainingJobId } } }",
                new { id = versionId }))
            .GetProperty("modelVersion");
        var lineage = version.GetProperty("lineage");
        Assert.Equal(jobId, lineage.GetProperty("trainingJobId").GetString());
        return new RegisteredVersion(job, versionId, lineage.GetProperty("baseVersionId").GetString(),
            [.. lineage.GetProperty("labelRevisionIds").EnumerateArray().Select(id => id.GetString()!).Order()],
            lineage.GetProperty("dataDigest").GetString()!, version.GetProperty("artifactDigest").GetString()!,
            version.GetProperty("metrics").EnumerateArray().ToDictionary(metric => metric.GetProperty("name").GetString()!, metric => metric.GetProperty("value").GetDouble()));
    }

    private static async Task<JsonElement> RunFailingJobAsync(HttpClient http, BackgroundProcess worker, string modelId, string datasetId,
        string? baseVersionId, object recipe)
    {
        var jobId = (await LabelingHttp.GraphQLAsync(http, "mutation($input: RequestTrainingInput!) { requestTraining(input: $input) { id } }",
                new { input = new { modelId, datasetId, baseVersionId, trigger = "dataset e2e, expected to fail", recipe } }))
            .GetProperty("requestTraining").GetProperty("id").GetString()!;
        JsonElement job = default;
        await Eventually.IsTrueAsync(async () =>
        {
            job = (await LabelingHttp.GraphQLAsync(http, "query($id: ID!) { trainingJob(id: $id) { status versionId failureReason } }", new { id = jobId }))
                .GetProperty("trainingJob");
            return job.GetProperty("status").GetString() switch
            {
                "SUCCEEDED" => throw new XunitException($"job {jobId} succeeded but should have failed\n{worker.Output}"),
                "FAILED" => true,
                _ => false,
            };
        }, [worker], $"job {jobId} to fail", timeoutSeconds: 180);
        return job;
    }

    /// <summary>
    /// Registers a copy of a version whose first tensor is all NaN: the weights file is TorchSharp's state-dict format
    /// (a 7-bit-encoded entry count; per entry a length-prefixed name, a 7-bit-encoded dtype, rank and dims, then the raw
    /// values), edited in place here so the test needs no libtorch of its own.
    /// </summary>
    private static Task<string> RegisterPoisonedVersionAsync(HttpClient http, string modelId, string artifactDigest, string folder) =>
        RegisterEditedVersionAsync(http, modelId, artifactDigest, folder, "poisoned by the test", weights =>
        {
            using var reader = new BinaryReader(new MemoryStream(weights));
            Assert.True(reader.Read7BitEncodedInt64() > 0, "the weights file has no tensors");
            _ = reader.ReadString();
            const long float32 = 6;
            Assert.Equal(float32, reader.Read7BitEncodedInt64());
            var count = Enumerable.Range(0, (int)reader.Read7BitEncodedInt64()).Aggregate(1L, (product, _) => product * reader.Read7BitEncodedInt64());
            var start = (int)reader.BaseStream.Position;
            for (var index = 0; index < count; index++)
            {
                BitConverter.TryWriteBytes(weights.AsSpan(start + (index * 4), 4), float.NaN);
            }
        });

    /// <summary>Registers a copy of a version whose weights file <paramref name="edit"/> changed in place, with the
    /// manifest's weights digest made to match.</summary>
    private static async Task<string> RegisterEditedVersionAsync(HttpClient http, string modelId, string artifactDigest, string folder, string codeVersion,
        Action<byte[]> edit)
    {
        var manifest = await ManifestAsync(http, artifactDigest, folder);
        var weightsPath = Path.Combine(folder, "weights.bin");
        var weights = await File.ReadAllBytesAsync(weightsPath);
        edit(weights);
        await File.WriteAllBytesAsync(weightsPath, weights);
        manifest["weightsDigest"] = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(weights));
        await File.WriteAllTextAsync(Path.Combine(folder, "manifest.json"), manifest.ToJsonString());
        var archive = folder + ".tar";
        await TarFile.CreateFromDirectoryAsync(folder, archive, includeBaseDirectory: false);
        var digest = await UploadBlobAsync(http, await File.ReadAllBytesAsync(archive));
        return (await LabelingHttp.GraphQLAsync(http, "mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }",
                new { input = new { modelId, metrics = Array.Empty<object>(), artifactDigest = digest, dataDigest = "sha256:" + new string('0', 64), codeVersion } }))
            .GetProperty("registerModelVersion").GetProperty("id").GetString()!;
    }

    /// <summary>STOW-RS of one series' files into labeling's archive, as one multipart/related request.</summary>
    private static async Task StoreSeriesAsync(HttpClient http, string folder)
    {
        using var content = new MultipartContent("related", "cl2-e2e-" + Guid.NewGuid().ToString("N"));
        content.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom\""));
        foreach (var file in Directory.GetFiles(folder, "*.dcm"))
        {
            var part = new ByteArrayContent(await File.ReadAllBytesAsync(file));
            part.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
            content.Add(part);
        }
        using var response = await http.PostAsync("dicomweb/studies", content);
        Assert.True(response.IsSuccessStatusCode, $"STOW of {folder} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Packs a case's label volume as the mask blob format (a tar of labels.json and labels.u8) and uploads it.</summary>
    private static async Task<string> UploadMaskAsync(HttpClient http, string headerPath, double shiftMm, string folder)
    {
        Directory.CreateDirectory(folder);
        var header = JsonNode.Parse(await File.ReadAllTextAsync(headerPath))!;
        header["origin"]![0] = header["origin"]![0]!.GetValue<double>() + shiftMm;
        await File.WriteAllTextAsync(Path.Combine(folder, "labels.json"), header.ToJsonString());
        File.Copy(Path.Combine(Path.GetDirectoryName(headerPath)!, header["dataFile"]!.GetValue<string>()), Path.Combine(folder, "labels.u8"));
        var archive = folder + ".tar";
        await TarFile.CreateFromDirectoryAsync(folder, archive, includeBaseDirectory: false);
        return await UploadBlobAsync(http, await File.ReadAllBytesAsync(archive));
    }

    private static async Task<string> UploadBlobAsync(HttpClient http, byte[] bytes)
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await http.PostAsync("blobs", content);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(response.IsSuccessStatusCode, $"POST /blobs answered {(int)response.StatusCode}: {body}");
        return body.GetProperty("digest").GetString()!;
    }

    /// <summary>A registered version's checkpoint manifest, from its artifact (a tar of the checkpoint folder) in the blob store.</summary>
    private static async Task<JsonNode> ManifestAsync(HttpClient http, string artifactDigest, string folder)
    {
        await using (var archive = await http.GetStreamAsync($"blobs/{artifactDigest}"))
        {
            Directory.CreateDirectory(folder);
            await TarFile.ExtractToDirectoryAsync(archive, folder, overwriteFiles: true);
        }
        return JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "manifest.json")))!;
    }
}
