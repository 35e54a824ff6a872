using System.Net;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Cl2.Labeling.Audit;
using Cl2.ServiceDefaults.Audit;

namespace Cl2.Labeling.Tests.Audit;

/// <summary>
/// <c>accessAudit { … auditMessage }</c>: each record exported as the DICOM audit message of PS3.15 A.5.1, checked by
/// xmllint against the standard's schema (dicom-audit-message.rng beside this file) and against the coded values
/// PS3.15 A.5.3 gives for the events recorded.
/// </summary>
public sealed class AuditMessageExportTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private const string Study = "1.2.826.0.1.3680043.10.543.17";
    private const string Admin = "root";
    private const string Radiologist = "rad";

    /// <summary>EventID code meanings of the DCM scheme (PS3.15 A.5.3, PS3.16 CID 400) for the events these accesses record.</summary>
    private static readonly Dictionary<string, string> EventIds = new()
    {
        ["110103"] = "DICOM Instances Accessed",
        ["110104"] = "DICOM Instances Transferred",
        ["110110"] = "Patient Record",
        ["110112"] = "Query",
    };

    private static readonly string Schema = Path.Combine(Repository.Root, "tests", "Cl2.Labeling.Tests", "Audit", "dicom-audit-message.rng");

    private const string Exported = """
        query { accessAudit(first: 100) { edges { node { at userId action eventId { code } auditMessage } } } }
        """;

    public Task InitializeAsync() => api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Changes (a dataset, a case, a STOW-RS), a GraphQL read of the study and a WADO-RS read, by the radiologist.</summary>
    private async Task AccessTheStudyAsync()
    {
        var dataset = (await api.RunAsync("""mutation { createDataset(input: { name: "exported" }) { id } }"""))["createDataset"]!["id"]!.GetValue<string>();
        await ArchivedStudies.StoreAsync(api.Client, Study);
        var caseId = (await api.RunAsync("mutation($input: AddCasesInput!) { addCases(input: $input) { id } }",
            new { input = new { datasetId = dataset, studyInstanceUids = new[] { Study } } }))["addCases"]![0]!["id"]!.GetValue<string>();
        await api.RunAsAsync((Radiologist, "radiologist"), "query($id: ID!) { case(id: $id) { studyInstanceUid } }", new { id = caseId });
        using var wado = new HttpRequestMessage(HttpMethod.Get, $"/dicomweb/studies/{Study}/metadata");
        wado.Headers.Add("X-Cl2-User", Radiologist);
        wado.Headers.Add("X-Cl2-Roles", "radiologist");
        using var read = await api.Client.SendAsync(wado);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    private async Task<List<JsonNode>> ExportedAsync(Func<List<JsonNode>, bool> complete)
    {
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); ; await Task.Delay(50))
        {
            List<JsonNode> records = [.. (await api.RunAsAsync((Admin, "admin"), Exported))["accessAudit"]!["edges"]!.AsArray().Select(edge => edge!["node"]!)];
            if (complete(records))
            {
                return records;
            }
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"the audit is still {new JsonArray([.. records.Select(r => r.DeepClone())]).ToJsonString()}");
        }
    }

    private static bool Has(List<JsonNode> records, string user, string eventId) =>
        records.Any(r => r["userId"]!.GetValue<string>() == user && r["eventId"]!["code"]!.GetValue<string>() == eventId);

    /// <summary>Runs xmllint on the messages against the PS3.15 A.5.1 schema; fails naming each message it refuses.</summary>
    private static async Task AssertSchemaAcceptsAsync(IReadOnlyList<string> messages)
    {
        var folder = Directory.CreateTempSubdirectory("cl2-audit-xml-").FullName;
        try
        {
            var files = new List<string>();
            foreach (var (message, index) in messages.Select((message, index) => (message, index)))
            {
                files.Add(Path.Combine(folder, $"message-{index}.xml"));
                await File.WriteAllTextAsync(files[^1], message);
            }
            var checkedBy = await ProcessRunner.RunAsync("xmllint", ["--noout", "--relaxng", Schema, .. files]);
            Assert.True(checkedBy.ExitCode == 0,
                $"xmllint (libxml2-utils; ./cl2 test installs it) refused audit messages against PS3.15 A.5.1:\n{checkedBy.Error}\n{string.Join("\n", messages)}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task every_exported_audit_message_is_valid_against_the_ps3_15_schema()
    {
        await AccessTheStudyAsync();

        var records = await ExportedAsync(found => Has(found, Radiologist, "110112") && Has(found, Radiologist, "110103") && found.Count >= 5);

        await AssertSchemaAcceptsAsync([.. records.Select(record => record["auditMessage"]!.GetValue<string>())]);
        var eventIds = records.Select(record => XElement.Parse(record["auditMessage"]!.GetValue<string>()).Element("EventIdentification")!.Element("EventID")!)
            .Select(id => (id.Attribute("csd-code")!.Value, id.Attribute("codeSystemName")!.Value, id.Attribute("originalText")!.Value))
            .Distinct();
        Assert.All(eventIds, id =>
        {
            Assert.True(EventIds.TryGetValue(id.Item1, out var meaning), $"EventID {id.Item1} is not one these accesses record");
            Assert.Equal((meaning, "DCM"), (id.Item3, id.Item2));
        });
    }

    [Fact]
    public async Task an_exported_wado_read_names_the_event_the_requestor_and_the_study()
    {
        await AccessTheStudyAsync();

        var records = await ExportedAsync(found => Has(found, Radiologist, "110103"));
        var read = records.Single(r => r["userId"]!.GetValue<string>() == Radiologist && r["eventId"]!["code"]!.GetValue<string>() == "110103");
        var message = XElement.Parse(read["auditMessage"]!.GetValue<string>());

        var identification = message.Element("EventIdentification")!;
        Assert.Equal(("R", "0", "110103", "DICOM Instances Accessed", "HTTP 200"), (identification.Attribute("EventActionCode")!.Value,
            identification.Attribute("EventOutcomeIndicator")!.Value, identification.Element("EventID")!.Attribute("csd-code")!.Value,
            identification.Element("EventID")!.Attribute("originalText")!.Value, identification.Element("EventOutcomeDescription")!.Value));
        Assert.Equal(DateTimeOffset.Parse(read["at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(identification.Attribute("EventDateTime")!.Value, System.Globalization.CultureInfo.InvariantCulture));
        var requestor = Assert.Single(message.Elements("ActiveParticipant"), p => p.Attribute("UserIsRequestor")!.Value == "true");
        Assert.Equal(Radiologist, requestor.Attribute("UserID")!.Value);
        Assert.Contains(requestor.Elements("RoleIDCode"), role => role.Attribute("csd-code")!.Value == "radiologist");
        Assert.Equal("cl2-labeling", message.Element("AuditSourceIdentification")!.Attribute("AuditSourceID")!.Value);
        var study = Assert.Single(message.Elements("ParticipantObjectIdentification"), o => o.Attribute("ParticipantObjectID")!.Value == Study);
        Assert.Equal(("2", "3", "110180", "DCM"), (study.Attribute("ParticipantObjectTypeCode")!.Value, study.Attribute("ParticipantObjectTypeCodeRole")!.Value,
            study.Element("ParticipantObjectIDTypeCode")!.Attribute("csd-code")!.Value,
            study.Element("ParticipantObjectIDTypeCode")!.Attribute("codeSystemName")!.Value));
    }

    [Fact]
    public async Task a_query_with_characters_xml_cannot_carry_exports_as_a_valid_message_with_its_text_intact()
    {
        var record = Requestor.Of(null, "10.1.2.3", "inference", alternativeUserId: "AETITLES=FIND\u0001SCU", userId: "FIND\u0001SCU") with
        {
            Operation = "C-FIND STUDY",
            OutcomeDescription = "DIMSE \u0000 0000",
            Objects = [AuditObjects.Query("1.2.840.10008.5.1.4.1.2.2.1", "PatientID=<\u0007&>"), AuditObjects.Patient("P\u0002")],
        };

        var message = AuditMessageXml.Write(record);

        await AssertSchemaAcceptsAsync([message]);
        var query = XElement.Parse(message).Elements("ParticipantObjectIdentification").Single(o => o.Attribute("ParticipantObjectTypeCodeRole")!.Value == "24");
        Assert.Equal("PatientID=<\u0007&>", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(query.Element("ParticipantObjectQuery")!.Value)));
    }
}
