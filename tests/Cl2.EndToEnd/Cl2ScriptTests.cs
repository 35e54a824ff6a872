using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Cl2.EndToEnd;

/// <summary>The README's promise, tested: `./cl2 up`, a second `up`, `down`, and `up` again, on free ports.</summary>
public sealed class Cl2ScriptTests
{
    [Fact]
    public async Task up_starts_every_service_a_second_up_changes_nothing_and_down_leaves_no_process_behind()
    {
        await using var cl2 = new ScriptRun();
        // Generous: the first QIDO through a just-started gateway compiles its queries, and CI runs this beside other suites.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var ready = new Uri($"http://127.0.0.1:{cl2.GatewayPort}/health/ready");

        var up = (await cl2.RunAsync("up")).EnsureSuccess("./cl2 up");
        Assert.Contains($"http://127.0.0.1:{cl2.GatewayPort}", up.Output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(ready)).StatusCode);
        var pids = cl2.RecordedPids();
        Assert.Equal(4, pids.Count);
        await AStudySentToTheListenerReachesTheArchiveAsync(http, cl2, cl2.GatewayPort, cl2.DicomPort);

        var again = (await cl2.RunAsync("up")).EnsureSuccess("second ./cl2 up");
        Assert.Contains("already running", again.Output, StringComparison.Ordinal);
        Assert.Equal(pids, cl2.RecordedPids());

        var status = (await cl2.RunAsync("status")).EnsureSuccess("./cl2 status");
        Assert.Equal(5, status.Output.Split('\n').Count(line => line.Contains(" running ", StringComparison.Ordinal)));

        (await cl2.RunAsync("down")).EnsureSuccess("./cl2 down");
        Assert.All(pids, pid => Assert.False(IsAlive(pid), $"process {pid} still runs after ./cl2 down"));
        Assert.Empty(Directory.GetFiles(Path.Combine(cl2.State, "run"), "*.pid"));
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(ready));

        (await cl2.RunAsync("up")).EnsureSuccess("./cl2 up after down");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(ready)).StatusCode);
    }

    /// <summary>
    /// `up` starts a service only once what it needs is ready: the training worker never finds labeling refusing
    /// connections, and the gateway's readiness never finds a backend unhealthy (both used to be logged on every `up`).
    /// </summary>
    [Fact]
    public async Task up_starts_each_service_after_what_it_needs_so_no_service_logs_a_refused_dependency()
    {
        await using var cl2 = new ScriptRun();
        (await cl2.RunAsync("up")).EnsureSuccess("./cl2 up");

        var training = await File.ReadAllTextAsync(Path.Combine(cl2.State, "logs", "training.log"));
        var gateway = await File.ReadAllTextAsync(Path.Combine(cl2.State, "logs", "gateway.log"));
        Assert.DoesNotContain("Connection refused", training, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhealthy", gateway, StringComparison.Ordinal);
    }

    /// <summary>
    /// Labeling answers PACS_NOT_CONFIGURED (naming the settings file); a PACS written into the settings file reaches it
    /// with `./cl2 restart labeling` alone: the next query tries that PACS (nothing listens there, so PACS_UNREACHABLE),
    /// and the other services keep their processes.
    /// </summary>
    [Fact]
    public async Task restart_starts_one_service_again_with_the_keys_of_the_settings_file()
    {
        await using var cl2 = new ScriptRun();
        (await cl2.RunAsync("up")).EnsureSuccess("./cl2 up");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", (await cl2.RunAsync("token")).EnsureSuccess("./cl2 token").Output.Trim());
        var before = await PacsStudiesErrorAsync(http, cl2.GatewayPort);
        Assert.Equal("PACS_NOT_CONFIGURED", before.GetProperty("extensions").GetProperty("code").GetString());
        Assert.Contains("Pacs__Host", before.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains(".cl2/settings.env", before.GetProperty("message").GetString(), StringComparison.Ordinal);
        var pids = cl2.RecordedPidsByService();

        await File.WriteAllTextAsync(Path.Combine(cl2.State, "settings.env"),
            $"# the PACS cohorts come from\n[labeling]\nPacs__Host=127.0.0.1\nPacs__Port={FreePort.Next()}\n");
        var restart = (await cl2.RunAsync("restart", "labeling")).EnsureSuccess("./cl2 restart labeling");
        Assert.Contains("ready", restart.Output, StringComparison.Ordinal);

        var after = await PacsStudiesErrorAsync(http, cl2.GatewayPort);
        Assert.Equal("PACS_UNREACHABLE", after.GetProperty("extensions").GetProperty("code").GetString());
        var restarted = cl2.RecordedPidsByService();
        Assert.NotEqual(pids["labeling"], restarted["labeling"]);
        Assert.Equal(pids.Where(pid => pid.Key != "labeling"), restarted.Where(pid => pid.Key != "labeling"));
    }

    [Fact]
    public async Task a_settings_line_without_an_equals_sign_stops_the_start_with_its_line_number()
    {
        await using var cl2 = new ScriptRun();
        Directory.CreateDirectory(cl2.State);
        await File.WriteAllTextAsync(Path.Combine(cl2.State, "settings.env"), "[labeling]\nPacs__Host 127.0.0.1\n");

        var command = await cl2.RunAsync("service-command", "labeling");

        Assert.NotEqual(0, command.ExitCode);
        Assert.Contains("settings.env line 2 is not KEY=VALUE", command.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("up")]
    [InlineData("down")]
    [InlineData("restart")]
    [InlineData("status")]
    [InlineData("logs")]
    [InlineData("test")]
    [InlineData("bench")]
    [InlineData("bench", "graphql")]
    [InlineData("token")]
    [InlineData("dicom")]
    [InlineData("dicom", "store")]
    [InlineData("dicom", "find", "-aec")]
    [InlineData("synth")]
    [InlineData("train")]
    [InlineData("train", "--task")]
    public async Task help_after_a_command_prints_its_usage_and_succeeds(params string[] command)
    {
        await using var cl2 = new ScriptRun();
        foreach (var help in new[] { "--help", "-h" })
        {
            var result = await cl2.RunAsync([.. command, help]);

            Assert.True(result.ExitCode == 0, $"./cl2 {string.Join(' ', command)} {help} exited {result.ExitCode}:\n{result.Output}\n{result.Error}");
            Assert.StartsWith("usage:", result.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task up_builds_the_services_and_tools_it_runs_and_no_test_benchmark_or_fuzzing_project()
    {
        await using var cl2 = new ScriptRun();

        var result = await cl2.RunAsync(["build-scope"]);

        Assert.True(result.ExitCode == 0, $"./cl2 build-scope exited {result.ExitCode}:\n{result.Output}\n{result.Error}");
        var projects = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(["gateway/Cl2.Gateway", "inference/Cl2.Dicom.Tools", "inference/Cl2.Inference", "labeling/Cl2.Labeling", "training/Cl2.Training",
            "training/Cl2.Training.Cli"], projects.Order(StringComparer.Ordinal));
        Assert.All(projects, project => Assert.True(File.Exists(Path.Combine(Repository.Root, project, Path.GetFileName(project) + ".csproj")), project));
    }

    [Fact]
    public async Task logs_shows_time_level_category_and_message_of_each_json_line()
    {
        await using var cl2 = new ScriptRun();
        var entry = new
        {
            Timestamp = "2026-12-05T15:27:21.291Z",
            EventId = 0,
            LogLevel = "Warning",
            Category = "Cl2.Training.Jobs.JobLoop",
            Message = "Could not claim a training job",
            Exception = "System.Net.Http.HttpRequestException: Connection refused\n   at Somewhere()",
        };
        var sql = new { Timestamp = "2026-12-05T15:27:22.000Z", LogLevel = "Information", Category = "Marten", Message = string.Join('\n', Enumerable.Range(1, 40).Select(i => $"CREATE TABLE t{i} ();")) };
        Directory.CreateDirectory(Path.Combine(cl2.State, "logs"));
        await File.WriteAllLinesAsync(Path.Combine(cl2.State, "logs", "training.log"),
            [JsonSerializer.Serialize(entry), JsonSerializer.Serialize(sql), "[W NNPACK.cpp:56] Could not initialize NNPACK!"]);

        var readable = (await cl2.RunAsync("logs", "training")).EnsureSuccess("./cl2 logs training").Output.Split('\n');

        Assert.Equal("2026-12-05 15:27:21.291 warn Cl2.Training.Jobs.JobLoop: Could not claim a training job", readable[0]);
        Assert.Equal("    System.Net.Http.HttpRequestException: Connection refused", readable[1]);
        Assert.Equal("2026-12-05 15:27:22.000 info Marten: CREATE TABLE t1 ();", readable[3]);
        Assert.Contains("36 more lines; --json shows them", string.Join('\n', readable), StringComparison.Ordinal);
        Assert.Contains("[W NNPACK.cpp:56] Could not initialize NNPACK!", readable);
    }

    [Fact]
    public async Task logs_with_json_prints_the_lines_as_written()
    {
        await using var cl2 = new ScriptRun();
        var line = JsonSerializer.Serialize(new { Timestamp = "2026-12-05T15:27:21.291Z", LogLevel = "Information", Category = "Cl2", Message = "started" });
        Directory.CreateDirectory(Path.Combine(cl2.State, "logs"));
        await File.WriteAllLinesAsync(Path.Combine(cl2.State, "logs", "gateway.log"), [line]);

        var json = (await cl2.RunAsync("logs", "gateway", "--json")).EnsureSuccess("./cl2 logs gateway --json");

        Assert.Equal(line + "\n", json.Output);
    }

    /// <summary>The GraphQL error of a pacsStudies query through the gateway (it must fail: no PACS answers).</summary>
    private static async Task<JsonElement> PacsStudiesErrorAsync(HttpClient http, int gatewayPort)
    {
        using var response = await http.PostAsJsonAsync(new Uri($"http://127.0.0.1:{gatewayPort}/graphql"),
            new { query = "{ pacsStudies(criteria: { modality: \"CT\" }) { studyInstanceUid } }" });
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(body.TryGetProperty("errors", out var errors), $"pacsStudies answered without an error: {body}");
        return errors[0].Clone();
    }

    /// <summary>`up` wires inference's forwarding to labeling (URL and its client credentials): a study stored into the
    /// listener shows up in the archive's QIDO-RS through the gateway, asked with the token `./cl2 token` prints for the
    /// seeded annotator, once its quiet period (10 s by default) has passed.</summary>
    private static async Task AStudySentToTheListenerReachesTheArchiveAsync(HttpClient http, ScriptRun cl2, int gatewayPort, int dicomPort)
    {
        http.DefaultRequestHeaders.Authorization = new("Bearer", (await cl2.RunAsync("token", "--role", "annotator")).EnsureSuccess("./cl2 token").Output.Trim());
        const string CtStudy = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322";
        (await Dcmtk.RunAsync("storescu", ["-aet", "E2E", "-aec", "CL2", "127.0.0.1", $"{dicomPort}",
            "/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm"])).EnsureSuccess("storescu");
        var qido = new Uri($"http://127.0.0.1:{gatewayPort}/dicomweb/studies?StudyInstanceUID={CtStudy}");
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!(await http.GetStringAsync(qido)).Contains(CtStudy, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the study stored into the listener did not reach labeling's archive within 90 s: " +
                await File.ReadAllTextAsync(Path.Combine(cl2.State, "logs", "inference.log")));
            await Task.Delay(500);
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// `./cl2` with its own state folder and free ports, on what the test run built (no set-up); disposing it runs
    /// `./cl2 down` and deletes the state folder (and the cluster's home where the postgres user could not enter it).
    /// </summary>
    private sealed class ScriptRun : IAsyncDisposable
    {
        private readonly Dictionary<string, string> _environment;

        public ScriptRun()
        {
            State = Directory.CreateTempSubdirectory("cl2-state-").FullName;
            _environment = new Dictionary<string, string>
            {
                ["CL2_STATE_DIR"] = State,
                ["CL2_SKIP_SETUP"] = "1",
                ["CL2_CONFIGURATION"] = Repository.Configuration,
                ["CL2_PG_PORT"] = $"{FreePort.Next()}",
                ["CL2_GATEWAY_PORT"] = $"{GatewayPort}",
                ["CL2_LABELING_PORT"] = $"{FreePort.Next()}",
                ["CL2_INFERENCE_PORT"] = $"{FreePort.Next()}",
                ["CL2_DICOM_PORT"] = $"{DicomPort}",
            };
        }

        public string State { get; }

        public int GatewayPort { get; } = FreePort.Next();

        public int DicomPort { get; } = FreePort.Next();

        public Task<ProcessResult> RunAsync(params string[] arguments) =>
            ProcessRunner.RunAsync("bash", [Repository.Script, .. arguments], TimeSpan.FromMinutes(4), _environment);

        public List<int> RecordedPids() => RecordedPidsByService().Values.Order().ToList();

        public Dictionary<string, int> RecordedPidsByService() =>
            Directory.GetFiles(Path.Combine(State, "run"), "*.pid")
                .ToDictionary(file => Path.GetFileNameWithoutExtension(file), file => int.Parse(File.ReadAllText(file).Trim(), System.Globalization.CultureInfo.InvariantCulture));

        public async ValueTask DisposeAsync()
        {
            if (Directory.Exists(Path.Combine(State, "run")))
            {
                await RunAsync("down");
            }
            var cluster = new DirectoryInfo(Path.Combine(State, "postgres"));
            if (cluster.LinkTarget is { } target)
            {
                Directory.Delete(target, recursive: true);
            }
            Directory.Delete(State, recursive: true);
        }
    }
}
