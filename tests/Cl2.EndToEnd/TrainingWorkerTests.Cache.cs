using System.Net;
using System.Text.Json.Nodes;

namespace Cl2.EndToEnd;

/// <summary>
/// The case cache: a liver CT dataset of labelled cases in labeling's archive, two jobs on it by one worker whose
/// DICOMweb requests pass through a relay that counts the series retrievals (WADO-RS). The first job retrieves every
/// case's series once; the second trains from the cache and retrieves none.
/// </summary>
public sealed partial class TrainingWorkerTests
{
    [Fact]
    public async Task a_second_job_on_the_same_dataset_reads_its_cases_from_the_cache_not_the_archive()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var state = Directory.CreateTempSubdirectory("cl2-case-cache-").FullName;
        var (labelingProcess, labelingUrl) = await StartLabelingAsync(postgres, state);
        await using var labeling = labelingProcess;
        using var http = new HttpClient { BaseAddress = new Uri(labelingUrl), Timeout = TimeSpan.FromSeconds(200) };

        const int cases = 5;
        var cohort = Path.Combine(state, "cohort");
        (await ProcessRunner.RunAsync(Path.Combine(Repository.Root, "cl2"),
            ["synth", "--task", "liver-ct", "--out", cohort, "--cases", $"{cases}", "--size", "16", "--seed", "7"], TimeSpan.FromMinutes(5)))
            .EnsureSuccess("./cl2 synth");
        var items = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(cohort, "cohort.json")))!["cases"]!.AsArray();
        var datasetId = (await LabelingHttp.GraphQLAsync(http, "mutation { createDataset(input: { name: \"liver cache\" }) { id } }"))
            .GetProperty("createDataset").GetProperty("id").GetString()!;
        for (var index = 0; index < cases; index++)
        {
            await StoreSeriesAsync(http, Path.Combine(cohort, items[index]!["series"]!["CT"]!.GetValue<string>()));
            var caseId = (await LabelingHttp.GraphQLAsync(http, "mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
                    new { input = new { datasetId, studyInstanceUids = new[] { items[index]!["studyInstanceUid"]!.GetValue<string>() } } }))
                .GetProperty("addCases")[0].GetProperty("id").GetString()!;
            var digest = await UploadMaskAsync(http, Path.Combine(cohort, items[index]!["labels"]!.GetValue<string>()), shiftMm: 0,
                Path.Combine(state, $"mask-{index}"));
            await LabelingHttp.GraphQLAsync(http, "mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id } }",
                new { input = new { caseId, baseRevision = 0, kind = "SEGMENTATION", blobDigest = digest } });
        }
        var modelId = (await LabelingHttp.GraphQLAsync(http, "mutation { registerModel(input: { name: \"liver-cache\", task: \"liver-ct\" }) { id } }"))
            .GetProperty("registerModel").GetProperty("id").GetString()!;

        await using var relay = CountingRelay.Start(new Uri(new Uri(labelingUrl), "dicomweb/"));
        await using var worker = await StartWorkerAsync("worker-c", labelingUrl, state, new Dictionary<string, string>
        {
            ["Training__Jobs__LeaseSeconds"] = "120",
            ["Training__Jobs__DicomWebBaseAddress"] = relay.Url,
        });

        await RunJobAsync(http, worker, modelId, datasetId, baseVersionId: null, new { epochs = 1, spacingMm = Liver16Grid });
        var afterFirst = relay.SeriesRetrievals;
        Assert.Equal(cases, afterFirst);

        var second = await RunJobAsync(http, worker, modelId, datasetId, baseVersionId: null, new { epochs = 1, spacingMm = Liver16Grid });
        Assert.Equal(afterFirst, relay.SeriesRetrievals);
        Assert.Contains("dice_liver", second.Metrics.Keys);
        Assert.Contains($"{cases} usable cases: 0 read from the archive, {cases} from the case cache", worker.Output, StringComparison.Ordinal);

        await worker.DisposeAsync();
        Directory.Delete(state, recursive: true);
    }

    /// <summary>Forwards every request to a DICOMweb root and counts the series retrievals (GET …/studies/x/series/y).</summary>
    private sealed class CountingRelay : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly HttpClient _target;
        private readonly Task _serving;
        private int _seriesRetrievals;

        private CountingRelay(Uri root)
        {
            _target = new HttpClient { BaseAddress = root, Timeout = TimeSpan.FromMinutes(2) };
            Url = $"http://127.0.0.1:{FreePort.Next()}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _serving = ServeAsync();
        }

        public string Url { get; }

        public int SeriesRetrievals => Volatile.Read(ref _seriesRetrievals);

        public static CountingRelay Start(Uri root) => new(root);

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                _ = Task.Run(() => ForwardAsync(context));
            }
        }

        private async Task ForwardAsync(HttpListenerContext context)
        {
            var path = context.Request.Url!.PathAndQuery.TrimStart('/');
            var segments = context.Request.Url.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (context.Request.HttpMethod == "GET" && segments is [.., "studies", _, "series", _])
            {
                Interlocked.Increment(ref _seriesRetrievals);
            }
            using var request = new HttpRequestMessage(new HttpMethod(context.Request.HttpMethod), path);
            foreach (var name in context.Request.Headers.AllKeys.OfType<string>().Where(name => name is not ("Host" or "Content-Length")))
            {
                request.Headers.TryAddWithoutValidation(name, context.Request.Headers[name]);
            }
            using var response = await _target.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Content.Headers.Concat(response.Headers).Where(header => header.Key is not ("Transfer-Encoding" or "Content-Length")))
            {
                context.Response.Headers[name] = string.Join(", ", values);
            }
            await response.Content.CopyToAsync(context.Response.OutputStream);
            context.Response.Close();
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Close();
            await _serving;
            _target.Dispose();
        }
    }
}
