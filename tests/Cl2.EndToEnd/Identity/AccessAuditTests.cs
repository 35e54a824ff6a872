using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Cl2.EndToEnd.Identity;

/// <summary>
/// Issue 17 point 6: after a scripted session through the gateway with real access tokens, with Production settings —
/// QIDO and WADO by a radiologist, a C-FIND by an allowed DICOM peer, a label submitted, a promotion, refused requests and
/// a refused association — an admin's <c>accessAudit</c> returns each access with its actor, source and outcome.
/// </summary>
public sealed class AccessAuditTests
{
    private const string AuditQuery = """
        query($study: String, $user: String) {
          accessAudit(study: $study, user: $user, first: 200) {
            edges { node { userId sourceAddress service operation action outcome eventId { code } studyInstanceUids
              participants { userId alternativeUserId isRequestor networkAccessPoint } } }
          }
        }
        """;

    private static IReadOnlyDictionary<string, string> Production(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string>(PlatformLauncher.Production) { ["Logging__LogLevel__Default"] = "Warning" };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }
        return settings;
    }

    [Fact]
    public async Task the_audit_names_actor_source_and_outcome_of_every_access_in_a_scripted_session()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var state = Directory.CreateTempSubdirectory("cl2-e2e-audit-").FullName;
        var launcher = new PlatformLauncher(state, postgres.ConnectionString);
        await using var labeling = await launcher.StartAsync(PlatformLauncher.Labeling, Production(("Audit__FlushMilliseconds", "100")));
        await using var inference = await launcher.StartAsync(PlatformLauncher.Inference, Production(
            ("Audit__FlushMilliseconds", "100"),
            ("Inference__Forwarding__QuietPeriod", "00:00:01"), ("Inference__Forwarding__PollInterval", "00:00:00.200"),
            ("Inference__Listener__Peers__0__AeTitle", "STORESCU"), ("Inference__Listener__Peers__0__Hosts__0", "127.0.0.1"),
            ("Inference__Listener__Peers__1__AeTitle", "FINDSCU"), ("Inference__Listener__Peers__1__Hosts__0", "127.0.0.1"),
            ("Inference__Listener__Peers__1__QueryRetrieve__0", "Find")));
        await using var gateway = await launcher.StartAsync(PlatformLauncher.Gateway, Production());
        BackgroundProcess[] services = [labeling, inference, gateway];
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Eventually.IsTrueAsync(async () => await IsOkAsync(probe, launcher.GatewayUrl + "health/ready"), services,
            "the gateway, its provider and its backends ready", timeoutSeconds: 180);
        using var radiologist = await ClientAsync(launcher, "radiologist");
        using var annotator = await ClientAsync(launcher, "annotator");
        using var engineer = await ClientAsync(launcher, "ml-engineer");
        using var admin = await ClientAsync(launcher, "admin");
        using var anonymous = new HttpClient { BaseAddress = new Uri(launcher.GatewayUrl) };

        // A study reaches the archive through the listener (STORESCU may store).
        var sent = await Corpus.DcmtkEncodedCopyAsync("CT_small.dcm", Directory.CreateDirectory(Path.Combine(state, "sent")).FullName);
        var study = JsonDocument.Parse((await Dcmtk.RunAsync("dcm2json", [sent])).EnsureSuccess("dcm2json").Output)
            .RootElement.GetProperty("0020000D").GetProperty("Value")[0].GetString()!;
        var dicomPort = launcher.DicomPort.ToString(CultureInfo.InvariantCulture);
        (await Dcmtk.RunAsync("storescu", ["-aet", "STORESCU", "-aec", "CL2", "127.0.0.1", dicomPort, sent])).EnsureSuccess("storescu");

        // QIDO (until forwarding has delivered it) and WADO by the radiologist.
        await Eventually.IsTrueAsync(async () => (await radiologist.GetStringAsync(new Uri($"dicomweb/studies?StudyInstanceUID={study}", UriKind.Relative)))
            .Contains(study, StringComparison.Ordinal), services, "the study in labeling's archive", timeoutSeconds: 120);
        using (var wado = await radiologist.GetAsync(new Uri($"dicomweb/studies/{study}/metadata", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, wado.StatusCode);
        }
        // Refused: nobody signed in reading the study; an annotator asking the inference API.
        using (var refused = await anonymous.GetAsync(new Uri($"dicomweb/studies/{study}/metadata", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        using (var forbidden = await annotator.GetAsync(new Uri("api/inference/status", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }
        // C-FIND by an allowed peer.
        (await Dcmtk.RunAsync("findscu", ["-S", "-aet", "FINDSCU", "-aec", "CL2", "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={study}",
            "-k", "PatientID", "127.0.0.1", dicomPort])).EnsureSuccess("findscu");
        // A refused association: an AE title the peer table does not list.
        Assert.NotEqual(0, (await Dcmtk.RunAsync("echoscu", ["-aet", "STRANGER", "-aec", "CL2", "127.0.0.1", dicomPort])).ExitCode);

        // A label submitted on a case of the study, and a promotion.
        using var mask = await annotator.PostAsync(new Uri("blobs", UriKind.Relative), new ByteArrayContent(Encoding.UTF8.GetBytes("mask")));
        var digest = JsonDocument.Parse(await mask.EnsureSuccessStatusCode().Content.ReadAsStringAsync()).RootElement.GetProperty("digest").GetString();
        var datasetId = (await DataAsync(engineer, "mutation { createDataset(input: { name: \"audited\" }) { id } }"))
            .GetProperty("createDataset").GetProperty("id").GetString();
        var caseId = (await DataAsync(engineer, "mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
            new { input = new { datasetId, studyInstanceUids = new[] { study } } })).GetProperty("addCases")[0].GetProperty("id").GetString();
        await DataAsync(annotator, "mutation($input: SubmitLabelInput!) { submitLabel(input: $input) { id } }",
            new { input = new { caseId, baseRevision = 0, kind = "SEGMENTATION", blobDigest = digest } });
        var modelId = (await DataAsync(engineer, "mutation { registerModel(input: { name: \"audited\", task: \"liver-ct\" }) { id } }"))
            .GetProperty("registerModel").GetProperty("id").GetString();
        var versionId = (await DataAsync(engineer, "mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }",
            new { input = new { modelId, metrics = Array.Empty<object>(), artifactDigest = digest, dataDigest = digest, codeVersion = "git:1" } }))
            .GetProperty("registerModelVersion").GetProperty("id").GetString();
        var expectedVersion = (await DataAsync(engineer, "query($id: ID!) { model(id: $id) { version } }", new { id = modelId }))
            .GetProperty("model").GetProperty("version").GetInt32();
        await DataAsync(engineer, "mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { version } }",
            new { input = new { modelId, versionId, expectedVersion } });

        // Who accessed the study: the radiologist's QIDO and WADO, the refused anonymous read, the peer's C-FIND.
        var byStudy = await AuditAsync(admin, services, new { study }, records =>
            records.Any(r => r.Operation.StartsWith("C-FIND", StringComparison.Ordinal)) && records.Any(r => r.UserId == "anonymous"));
        // The QIDO was asked until forwarding had delivered the study: each ask is a record of its own.
        var qido = byStudy.Where(r => r.UserId == "radiologist" && r.EventId == "110112").ToList();
        Assert.NotEmpty(qido);
        Assert.All(qido, r => Assert.Equal((0, "E", "127.0.0.1", "labeling"), (r.Outcome, r.Action, r.SourceAddress, r.Service)));
        var wadoRecord = Assert.Single(byStudy, r => r.Operation == $"GET /dicomweb/studies/{study}/metadata" && r.UserId == "radiologist");
        Assert.Equal(("110103", "R", 0, "127.0.0.1"), (wadoRecord.EventId, wadoRecord.Action, wadoRecord.Outcome, wadoRecord.SourceAddress));
        var refusedRecord = Assert.Single(byStudy, r => r.UserId == "anonymous");
        Assert.Equal((4, $"GET /dicomweb/studies/{study}/metadata", "127.0.0.1"), (refusedRecord.Outcome, refusedRecord.Operation, refusedRecord.SourceAddress));
        var find = Assert.Single(byStudy, r => r.Operation.StartsWith("C-FIND", StringComparison.Ordinal));
        Assert.Equal(("FINDSCU", "127.0.0.1", "inference", 0, "AETITLES=FINDSCU"),
            (find.UserId, find.SourceAddress, find.Service, find.Outcome, find.RequestorAlternativeUserId));

        // What the annotator did: the label submitted, the refused call of the inference API.
        var byAnnotator = await AuditAsync(admin, services, new { user = "annotator" }, records => records.Any(r => r.Operation == "mutation submitLabel")
            && records.Any(r => r.Operation == "GET /api/inference/status"));
        var label = Assert.Single(byAnnotator, r => r.Operation == "mutation submitLabel");
        Assert.Equal((0, "C", "127.0.0.1"), (label.Outcome, label.Action, label.SourceAddress));
        var forbiddenRecord = Assert.Single(byAnnotator, r => r.Operation == "GET /api/inference/status");
        Assert.Equal((4, "inference"), (forbiddenRecord.Outcome, forbiddenRecord.Service));
        // And the ML engineer's promotion.
        var byEngineer = await AuditAsync(admin, services, new { user = "ml-engineer" }, records => records.Any(r => r.Operation == "mutation promoteModelVersion"));
        var promotion = Assert.Single(byEngineer, r => r.Operation == "mutation promoteModelVersion");
        Assert.Equal((0, "U", "110110"), (promotion.Outcome, promotion.Action, promotion.EventId));
        // The listener's security alerts: the refused association, and its peer table at its first start.
        var refusedAssociation = Assert.Single(await AuditAsync(admin, services, new { user = "STRANGER" }, records => records.Count > 0));
        Assert.Equal(("110113", "A-ASSOCIATE", 4, "127.0.0.1", "inference"), (refusedAssociation.EventId, refusedAssociation.Operation,
            refusedAssociation.Outcome, refusedAssociation.SourceAddress, refusedAssociation.Service));
        var peers = await AuditAsync(admin, services, new { user = "configuration" }, records => records.Any(r => r.Operation == "DICOM peers changed"));
        Assert.Equal(("110113", "U", 0), (peers[0].EventId, peers[0].Action, peers[0].Outcome));
        Directory.Delete(state, recursive: true);
    }

    private sealed record Audited(string UserId, string SourceAddress, string Service, string Operation, string Action, int Outcome, string EventId,
        string? RequestorAlternativeUserId);

    private static async Task<IReadOnlyList<Audited>> AuditAsync(HttpClient admin, IReadOnlyList<BackgroundProcess> services, object variables,
        Func<IReadOnlyList<Audited>, bool> complete)
    {
        IReadOnlyList<Audited> records = [];
        await Eventually.IsTrueAsync(async () =>
        {
            records = [.. (await DataAsync(admin, AuditQuery, variables)).GetProperty("accessAudit").GetProperty("edges").EnumerateArray()
                .Select(edge => edge.GetProperty("node")).Select(node => new Audited(
                    node.GetProperty("userId").GetString()!, node.GetProperty("sourceAddress").GetString()!, node.GetProperty("service").GetString()!,
                    node.GetProperty("operation").GetString()!, node.GetProperty("action").GetString()!, node.GetProperty("outcome").GetInt32(),
                    node.GetProperty("eventId").GetProperty("code").GetString()!,
                    node.GetProperty("participants").EnumerateArray().First(p => p.GetProperty("isRequestor").GetBoolean())
                        .GetProperty("alternativeUserId").GetString()))];
            return complete(records);
        }, services, $"the audit records of {JsonSerializer.Serialize(variables)}", timeoutSeconds: 60);
        return records;
    }

    private static async Task<HttpClient> ClientAsync(PlatformLauncher launcher, string user)
    {
        var http = new HttpClient { BaseAddress = new Uri(launcher.GatewayUrl), Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await launcher.UserTokenAsync(user));
        return http;
    }

    private static async Task<JsonElement> DataAsync(HttpClient http, string query, object? variables = null)
    {
        using var response = await http.PostAsJsonAsync("graphql", new { query, variables });
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(body.TryGetProperty("errors", out var errors), $"{query}: {errors}");
        return body.GetProperty("data").Clone();
    }

    private static async Task<bool> IsOkAsync(HttpClient http, string url)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(url));
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
