using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Sdk;

namespace Cl2.EndToEnd.Identity;

/// <summary>
/// The whole platform with Production settings on this machine (as <c>CL2_ENVIRONMENT=Production ./cl2 up</c>): no header
/// identity anywhere, the training worker and inference calling labeling with their own client credentials.
/// </summary>
public sealed class ProductionSettingsTests
{
    [Fact]
    public async Task the_worker_completes_a_training_job_with_its_own_client_credentials()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var state = Directory.CreateTempSubdirectory("cl2-e2e-production-").FullName;
        var launcher = new PlatformLauncher(state, postgres.ConnectionString);
        await using var labeling = await launcher.StartAsync(PlatformLauncher.Labeling, Production(("Logging__LogLevel__Default", "Warning")));
        await using var gateway = await launcher.StartAsync(PlatformLauncher.Gateway, Production(("ReverseProxy__Clusters__inference__Destinations__inference__Address", "http://127.0.0.1:1/")));
        await using var worker = await launcher.StartAsync(PlatformLauncher.Training, Production(
            ("Training__Device", "cpu"), ("Training__CpuThreads", "1"), ("Training__Jobs__WorkerName", "worker-p"),
            ("Training__Jobs__PollInterval", "00:00:00.200"), ("Training__Jobs__SyntheticCases", "8"), ("Training__Jobs__SyntheticSize", "16"),
            ("Training__Jobs__Epochs", "2"), ("Health__StatusFile__Path", "")));
        BackgroundProcess[] services = [labeling, gateway, worker];
        using var http = await SignedInAsync(launcher, services, "ml-engineer");

        var model = await LabelingHttp.GraphQLAsync(http, "mutation { registerModel(input: { name: \"liver-production\", task: \"liver-ct\" }) { id } }");
        var job = await LabelingHttp.GraphQLAsync(http, "mutation($model: ID!) { requestTraining(input: { modelId: $model, trigger: \"production settings\" }) { id } }",
            new { model = model.GetProperty("registerModel").GetProperty("id").GetString() });
        var jobId = job.GetProperty("requestTraining").GetProperty("id").GetString();
        JsonElement finished = default;
        await Eventually.IsTrueAsync(async () =>
        {
            finished = (await LabelingHttp.GraphQLAsync(http, "query($id: ID!) { trainingJob(id: $id) { status worker failureReason } }", new { id = jobId })).GetProperty("trainingJob");
            return finished.GetProperty("status").GetString() is "SUCCEEDED" or "FAILED";
        }, services, "the training job to finish", timeoutSeconds: 300);

        Assert.Equal("SUCCEEDED", finished.GetProperty("status").GetString());
        Assert.Equal("worker-p", finished.GetProperty("worker").GetString());
        // The worker may still be clearing its job's cohort folder: stop it before removing the state it writes in.
        await worker.DisposeAsync();
        Directory.Delete(state, recursive: true);
    }

    [Fact]
    public async Task inference_forwards_a_received_study_with_its_own_client_credentials()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var state = Directory.CreateTempSubdirectory("cl2-e2e-production-").FullName;
        var launcher = new PlatformLauncher(state, postgres.ConnectionString);
        await using var labeling = await launcher.StartAsync(PlatformLauncher.Labeling, Production(("Logging__LogLevel__Default", "Warning")));
        await using var inference = await launcher.StartAsync(PlatformLauncher.Inference, Production(
            ("Inference__Forwarding__QuietPeriod", "00:00:01"), ("Inference__Forwarding__PollInterval", "00:00:00.200"),
            // Production serves listed DICOM peers only (docs/security.md): the test's storescu on this machine.
            ("Inference__Listener__Peers__0__AeTitle", "STORESCU"), ("Inference__Listener__Peers__0__Hosts__0", "127.0.0.1")));
        await using var gateway = await launcher.StartAsync(PlatformLauncher.Gateway, Production());
        BackgroundProcess[] services = [labeling, inference, gateway];
        using var http = await SignedInAsync(launcher, services, "radiologist");
        var folder = Directory.CreateDirectory(Path.Combine(state, "sent")).FullName;
        var sent = await Corpus.DcmtkEncodedCopyAsync("CT_small.dcm", folder);
        var study = JsonDocument.Parse((await Dcmtk.RunAsync("dcm2json", [sent])).EnsureSuccess("dcm2json").Output)
            .RootElement.GetProperty("0020000D").GetProperty("Value")[0].GetString();

        (await Dcmtk.RunAsync("storescu", ["-aet", "STORESCU", "-aec", "CL2", "127.0.0.1", launcher.DicomPort.ToString(System.Globalization.CultureInfo.InvariantCulture), sent]))
            .EnsureSuccess("storescu");

        await Eventually.IsTrueAsync(async () =>
        {
            using var response = await http.GetAsync(new Uri($"dicomweb/studies?StudyInstanceUID={study}", UriKind.Relative));
            return response.StatusCode == HttpStatusCode.OK && (await response.Content.ReadAsStringAsync()).Contains(study!, StringComparison.Ordinal);
        }, services, "the study in labeling's archive", timeoutSeconds: 120);
        Directory.Delete(state, recursive: true);
    }

    private static Dictionary<string, string> Production(params (string Key, string Value)[] settings)
    {
        var merged = new Dictionary<string, string>(PlatformLauncher.Production);
        foreach (var (key, value) in settings)
        {
            merged[key] = value;
        }
        return merged;
    }

    /// <summary>Waits for the gateway's provider and labeling, and returns a client of it signed in as <paramref name="user"/>.</summary>
    private static async Task<HttpClient> SignedInAsync(PlatformLauncher launcher, BackgroundProcess[] services, string user)
    {
        // Generous: the first GraphQL request creates labeling's schema, and on a busy machine that takes a while.
        var http = new HttpClient { BaseAddress = new Uri(launcher.GatewayUrl), Timeout = TimeSpan.FromMinutes(3) };
        string? token = null;
        await Eventually.IsTrueAsync(async () =>
        {
            try
            {
                token = await launcher.UserTokenAsync(user);
                using var labeling = await http.GetAsync(new Uri(launcher.LabelingUrl + "health/ready"));
                return labeling.IsSuccessStatusCode;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
            {
                return false;
            }
        }, services, "a token from the gateway's provider, and labeling ready", timeoutSeconds: 180);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

}
