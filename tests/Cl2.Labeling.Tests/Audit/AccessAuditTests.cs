using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cl2.ServiceDefaults.Audit;

namespace Cl2.Labeling.Tests.Audit;

/// <summary>Labeling's access audit against a real PostgreSQL: what GraphQL and DICOMweb record, who may read it, and the
/// retention purge.</summary>
public sealed class AccessAuditTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private const string Study = "1.2.826.0.1.3680043.10.543.1";
    private const string Admin = "root";

    private const string ByStudy = """
        query($study: String, $user: String) { accessAudit(study: $study, user: $user, first: 100) {
          totalCount edges { node { userId operation outcome outcomeDescription action eventId { code } studyInstanceUids
            objects { type idType { code } id } } } } }
        """;

    public Task InitializeAsync() => api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<JsonArray> AuditAsync(object variables, Func<JsonArray, bool> complete)
    {
        JsonArray records = [];
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); ; await Task.Delay(50))
        {
            records = (await api.RunAsAsync((Admin, "admin"), ByStudy, variables))["accessAudit"]!["edges"]!.AsArray();
            if (complete(records))
            {
                return records;
            }
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"the audit of {System.Text.Json.JsonSerializer.Serialize(variables)} is still {records.ToJsonString()}");
        }
    }

    private async Task<string> CaseOfStudyAsync()
    {
        var dataset = (await api.RunAsync("""mutation { createDataset(input: { name: "audited" }) { id } }"""))["createDataset"]!["id"]!.GetValue<string>();
        await ArchivedStudies.StoreAsync(api.Client, Study);
        return (await api.RunAsync("mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
            new { input = new { datasetId = dataset, studyInstanceUids = new[] { Study } } }))["addCases"]![0]!["id"]!.GetValue<string>();
    }

    [Fact]
    public async Task a_graphql_query_that_discloses_a_study_is_recorded_with_the_reader_and_the_study()
    {
        var caseId = await CaseOfStudyAsync();

        await api.RunAsAsync(("rad", "radiologist"), "query($id: ID!) { case(id: $id) { studyInstanceUid } }", new { id = caseId });

        var records = await AuditAsync(new { study = Study }, found => found.Any(r => r!["node"]!["userId"]!.GetValue<string>() == "rad"));
        var read = records.Single(r => r!["node"]!["userId"]!.GetValue<string>() == "rad")!["node"]!;
        Assert.Equal(("query case", 0, "110112"), (read["operation"]!.GetValue<string>(), read["outcome"]!.GetValue<int>(), read["eventId"]!["code"]!.GetValue<string>()));
        Assert.Contains(read["objects"]!.AsArray(), o => o!["id"]!.GetValue<string>() == caseId && o["idType"]!["code"]!.GetValue<string>() == "id");
    }

    [Fact]
    public async Task a_graphql_query_of_no_patient_data_is_not_recorded()
    {
        var caseId = await CaseOfStudyAsync();

        await api.RunAsAsync(("eve", "ml-engineer"), "{ models { totalCount } }");
        await api.RunAsAsync(("eve", "ml-engineer"), "query($id: ID!) { case(id: $id) { studyInstanceUid } }", new { id = caseId });

        // Written in order: once the second read is there, the first would be too.
        var records = await AuditAsync(new { user = "eve" }, found => found.Count > 0);
        Assert.Equal("query case", Assert.Single(records)!["node"]!["operation"]!.GetValue<string>());
    }

    [Fact]
    public async Task a_refused_dicomweb_read_is_recorded_with_the_study_and_a_failure_outcome()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/dicomweb/studies/{Study}/metadata");
        request.Headers.Add("X-Cl2-User", "guest");
        request.Headers.Add("X-Cl2-Roles", "guest");
        using var response = await api.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);

        var records = await AuditAsync(new { study = Study }, found => found.Count > 0);
        var refused = Assert.Single(records)!["node"]!;
        Assert.Equal(("guest", 4, "HTTP 403", "110103", "R"), (refused["userId"]!.GetValue<string>(), refused["outcome"]!.GetValue<int>(),
            refused["outcomeDescription"]!.GetValue<string>(), refused["eventId"]!["code"]!.GetValue<string>(), refused["action"]!.GetValue<string>()));
    }

    [Fact]
    public async Task a_blob_upload_and_its_read_are_recorded_as_patient_record_accesses_naming_the_blob()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes($"mask {Guid.NewGuid()}");
        var digest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        HttpRequestMessage AsAnnotator(HttpMethod method, string path, HttpContent? content = null)
        {
            var request = new HttpRequestMessage(method, path) { Content = content };
            request.Headers.Add("X-Cl2-User", "painter");
            request.Headers.Add("X-Cl2-Roles", "annotator");
            return request;
        }

        using (var upload = AsAnnotator(HttpMethod.Post, "/blobs", new ByteArrayContent(bytes)))
        {
            Assert.Equal(HttpStatusCode.Created, (await api.Client.SendAsync(upload)).StatusCode);
        }
        using (var read = AsAnnotator(HttpMethod.Get, $"/blobs/{digest}"))
        {
            Assert.Equal(bytes, await (await api.Client.SendAsync(read)).Content.ReadAsByteArrayAsync());
        }

        var records = await AuditAsync(new { user = "painter" }, found => found.Count >= 2);
        var accesses = records.Select(record => record!["node"]!)
            .Select(node => (node["eventId"]!["code"]!.GetValue<string>(), node["action"]!.GetValue<string>(), node["outcome"]!.GetValue<int>(),
                node["objects"]!.AsArray().Select(item => item!["id"]!.GetValue<string>()).Single()))
            .OrderBy(access => access.Item2, StringComparer.Ordinal);
        Assert.Equal([("110110", "C", 0, digest), ("110110", "R", 0, digest)], accesses);
    }

    [Fact]
    public async Task only_an_admin_may_read_the_audit()
    {
        var refused = await api.PostAsAsync(("rad", "radiologist"), ByStudy, new { study = Study });

        Assert.Equal("FORBIDDEN", refused.FirstErrorCode);
        var attempt = await AuditAsync(new { user = "rad" }, found => found.Count > 0);
        Assert.Equal(("query accessAudit", 4), (attempt[0]!["node"]!["operation"]!.GetValue<string>(), attempt[0]!["node"]!["outcome"]!.GetValue<int>()));
    }

    [Fact]
    public async Task records_past_the_retention_are_purged_and_newer_ones_kept()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new LabelingHost(postgres, settings: new Dictionary<string, string>
        {
            ["Audit:RetentionDays"] = "30",
            ["Audit:PurgeInterval"] = "00:00:00.200",
        });
        using var client = host.CreateClient();
        var old = Requestor.Of(null, "10.0.0.1", "inference") with { At = DateTimeOffset.UtcNow.AddDays(-31), Operation = "C-FIND STUDY", StudyInstanceUids = [Study] };
        var recent = old with { Id = Guid.NewGuid(), At = DateTimeOffset.UtcNow.AddDays(-29) };

        using var posted = await client.PostAsJsonAsync("/audit/records", new[] { old, recent });
        Assert.Equal(HttpStatusCode.NoContent, posted.StatusCode);

        for (var waited = System.Diagnostics.Stopwatch.StartNew(); ; await Task.Delay(100))
        {
            var ids = (await LabelingApi.PostAsync(client, ByStudy, new { study = Study })).Data!["accessAudit"]!["edges"]!.AsArray()
                .Select(edge => edge!["node"]!).ToList();
            if (ids.Count == 1)
            {
                break;
            }
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"the record past the retention is still there: {ids.Count} records");
        }
    }
}
