using System.Net;
using System.Text.Json;
using Cl2.Inference.Tests.Listener;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Cl2.Inference.Tests.Api;

/// <summary>
/// Issue 14's probe of <c>/api/inference/**</c>: it returned patient IDs, accession numbers and calling AEs to anyone,
/// unpaged, and the storage path with them. Now every path needs the service or admin role, whatever signs the caller in,
/// lists come in pages, and only an admin sees where the data lies.
/// </summary>
public sealed class InferenceApiTests
{
    private static readonly string[] Paths = ["/api/inference/status", "/api/inference/studies", "/api/inference/forwarding"];

    private static ListenerHost Start(params (string Key, string Value)[] settings)
    {
        var host = new ListenerHost(settings.ToDictionary(setting => setting.Key, setting => setting.Value));
        _ = host.Services;
        return host;
    }

    private static HttpClient Caller(WebApplicationFactory<Program> host, string user, string roles)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Add("X-Cl2-User", user);
        client.DefaultRequestHeaders.Add("X-Cl2-Roles", roles);
        return client;
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    [Fact]
    public async Task every_inference_api_path_answers_401_with_a_message_to_a_caller_nobody_signed_in()
    {
        await using var host = Start(("DevelopmentIdentity:DefaultUser", ""));
        using var anonymous = host.CreateClient();

        foreach (var path in Paths)
        {
            using var response = await anonymous.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains($"GET {path} needs a signed-in caller", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task in_production_identity_headers_sign_nobody_in_so_every_inference_api_path_answers_401()
    {
        await using var host = new ListenerHost(new Dictionary<string, string>()) { HeaderIdentity = false };
        await using var production = host.WithWebHostBuilder(builder => builder.UseEnvironment("Production"));
        using var forged = Caller(production, "mallory", "admin");

        foreach (var path in Paths)
        {
            using var response = await forged.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task every_inference_api_path_answers_403_to_a_caller_without_the_service_or_admin_role()
    {
        await using var host = Start();
        using var annotator = Caller(host, "ann", "annotator,radiologist,ml-engineer");

        foreach (var path in Paths)
        {
            using var response = await annotator.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Contains("needs one of the roles service", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task the_status_endpoint_does_not_show_the_storage_path_to_a_service()
    {
        await using var host = Start();
        using var service = Caller(host, "training", "service");

        var status = await GetJsonAsync(service, "/api/inference/status");

        Assert.Equal("cl2 inference", status.GetProperty("service").GetString());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("storage").ValueKind);
        Assert.DoesNotContain(host.Storage, status.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task received_studies_come_in_pages_of_the_asked_limit_each_naming_the_next()
    {
        await using var host = Start();
        var folder = Directory.CreateTempSubdirectory("cl2-api-send-").FullName;
        var paths = await Task.WhenAll(new[] { "CT_small.dcm", "MR_small.dcm", "SC_rgb_small_odd.dcm" }.Select(file => Corpus.DcmtkEncodedCopyAsync(file, folder)));
        (await Dcmtk.RunAsync("storescu", ["-aet", "STORESCU", "-aec", "CL2", "127.0.0.1", host.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. paths]))
            .EnsureSuccess("storescu");
        using var service = Caller(host, "training", "service");

        var first = await GetJsonAsync(service, "/api/inference/studies?limit=2");
        var second = await GetJsonAsync(service, first.GetProperty("next").GetString()!);

        Assert.Equal((3, 2, "/api/inference/studies?offset=2&limit=2"),
            (first.GetProperty("total").GetInt32(), first.GetProperty("items").GetArrayLength(), first.GetProperty("next").GetString()));
        Assert.Equal((1, JsonValueKind.Null), (second.GetProperty("items").GetArrayLength(), second.GetProperty("next").ValueKind));
        var listed = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray())
            .Select(study => study.GetProperty("studyInstanceUid").GetString()).ToList();
        Assert.Equal(host.Store.Studies().Select(study => study.StudyInstanceUid), listed);
    }

    [Fact]
    public async Task retrying_a_refused_study_needs_the_admin_role()
    {
        await using var host = Start();
        using var service = Caller(host, "training", "service");

        using var response = await service.PostAsync(new Uri("/api/inference/forwarding/1.2.3/retry", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task retrying_a_study_labeling_has_not_refused_answers_404_saying_so()
    {
        await using var host = Start();
        using var admin = Caller(host, "ops", "admin");

        using var response = await admin.PostAsync(new Uri("/api/inference/forwarding/1.2.3/retry", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Study 1.2.3 is not refused by labeling", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/inference/studies?limit=3", "limit must be 1 to 2 (Inference:Api:MaxPageSize), not 3")]
    [InlineData("/api/inference/forwarding?limit=0", "limit must be 1 to 2")]
    [InlineData("/api/inference/studies?offset=-1", "offset must be 0 or more")]
    public async Task a_page_outside_the_limits_is_refused_with_400_saying_which(string path, string problem)
    {
        await using var host = Start(("Inference:Api:MaxPageSize", "2"));
        using var service = Caller(host, "training", "service");

        using var response = await service.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(problem, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
