using System.Diagnostics;
using System.Net;

namespace Cl2.EndToEnd;

/// <summary>The README's promise, tested: `./cl2 up`, a second `up`, `down`, and `up` again, on free ports.</summary>
public sealed class Cl2ScriptTests
{
    [Fact]
    public async Task up_starts_every_service_a_second_up_changes_nothing_and_down_leaves_no_process_behind()
    {
        var state = Directory.CreateTempSubdirectory("cl2-state-").FullName;
        var gatewayPort = FreePort.Next();
        var environment = new Dictionary<string, string>
        {
            ["CL2_STATE_DIR"] = state,
            ["CL2_SKIP_SETUP"] = "1",
            ["CL2_CONFIGURATION"] = Repository.Configuration,
            ["CL2_PG_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CL2_GATEWAY_PORT"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CL2_LABELING_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CL2_INFERENCE_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CL2_DICOM_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        Task<ProcessResult> Cl2(string command) =>
            ProcessRunner.RunAsync("bash", [Path.Combine(Repository.Root, "cl2"), command], TimeSpan.FromMinutes(4), environment);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var ready = new Uri($"http://127.0.0.1:{gatewayPort}/health/ready");

        try
        {
            var up = (await Cl2("up")).EnsureSuccess("./cl2 up");
            Assert.Contains($"http://127.0.0.1:{gatewayPort}", up.Output, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(ready)).StatusCode);
            var pids = RecordedPids(state);
            Assert.Equal(4, pids.Count);
            await AStudySentToTheListenerReachesTheArchiveAsync(http, gatewayPort, environment["CL2_DICOM_PORT"]);

            var again = (await Cl2("up")).EnsureSuccess("second ./cl2 up");
            Assert.Contains("already running", again.Output, StringComparison.Ordinal);
            Assert.Equal(pids, RecordedPids(state));

            var status = (await Cl2("status")).EnsureSuccess("./cl2 status");
            Assert.Equal(5, status.Output.Split('\n').Count(line => line.Contains(" running ", StringComparison.Ordinal)));

            (await Cl2("down")).EnsureSuccess("./cl2 down");
            Assert.All(pids, pid => Assert.False(IsAlive(pid), $"process {pid} still runs after ./cl2 down"));
            Assert.Empty(Directory.GetFiles(Path.Combine(state, "run"), "*.pid"));
            await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(ready));

            (await Cl2("up")).EnsureSuccess("./cl2 up after down");
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(ready)).StatusCode);
        }
        finally
        {
            await Cl2("down");
            // Where the postgres user cannot enter the state folder, the cluster lives under /var/lib/cl2.
            var cluster = new DirectoryInfo(Path.Combine(state, "postgres"));
            if (cluster.LinkTarget is { } target)
            {
                Directory.Delete(target, recursive: true);
            }
            Directory.Delete(state, recursive: true);
        }
    }

    /// <summary>`up` wires inference's forwarding to labeling (URL and service identity): a study stored into the listener
    /// shows up in the archive's QIDO-RS through the gateway once its quiet period (10 s by default) has passed.</summary>
    private static async Task AStudySentToTheListenerReachesTheArchiveAsync(HttpClient http, int gatewayPort, string dicomPort)
    {
        const string CtStudy = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322";
        (await Dcmtk.RunAsync("storescu", ["-aet", "E2E", "-aec", "CL2", "127.0.0.1", dicomPort,
            "/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm"])).EnsureSuccess("storescu");
        var qido = new Uri($"http://127.0.0.1:{gatewayPort}/dicomweb/studies?StudyInstanceUID={CtStudy}");
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!(await http.GetStringAsync(qido)).Contains(CtStudy, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the study stored into the listener did not reach labeling's archive within 90 s: " +
                await http.GetStringAsync(new Uri($"http://127.0.0.1:{gatewayPort}/api/inference/forwarding")));
            await Task.Delay(500);
        }
    }

    private static List<int> RecordedPids(string state) =>
        Directory.GetFiles(Path.Combine(state, "run"), "*.pid")
            .Select(file => int.Parse(File.ReadAllText(file).Trim(), System.Globalization.CultureInfo.InvariantCulture))
            .Order()
            .ToList();

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
}
