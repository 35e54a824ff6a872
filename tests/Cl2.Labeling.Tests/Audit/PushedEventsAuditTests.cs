using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Cl2.Labeling.Audit;
using Cl2.ServiceDefaults.Audit;
using Microsoft.Extensions.Logging;

namespace Cl2.Labeling.Tests.Audit;

/// <summary>
/// Subscription events that carry study data are audited, batched: one record per subscription per
/// <c>Audit:PushedEventsInterval</c> naming every study its events disclosed, and one when it ends. Each test runs its
/// own labeling host (with the interval it needs) on its own PostgreSQL cluster.
/// </summary>
public sealed class PushedEventsAuditTests
{
    private const string Watcher = "watcher";
    private const string Pushed = "subscription inferenceCompleted: pushed";
    private const string Subscription = "subscription { inferenceCompleted { studyInstanceUid } }";
    private const string RecordResult = "mutation($input: RecordInferenceResultInput!) { recordInferenceResult(input: $input) { id } }";

    private const string ByUser = """
        query($user: String) { accessAudit(user: $user, first: 100) {
          edges { node { operation action outcome outcomeDescription eventId { code } studyInstanceUids } } } }
        """;

    private static Dictionary<string, string> Interval(string interval) => new() { ["Audit:PushedEventsInterval"] = interval, ["Audit:FlushMilliseconds"] = "50" };

    /// <summary>A pass-through result for <paramref name="study"/>, which every inferenceCompleted subscriber hears; waits for it on the socket.</summary>
    private static async Task PushResultAsync(HttpClient client, WebSocket socket, string study)
    {
        var recorded = await LabelingApi.PostAsync(client, RecordResult, new
        {
            input = new { studyInstanceUid = study, pipeline = "pass-through", resultUids = new[] { study + ".1" }, durationMs = 5.0 },
        });
        Assert.True(recorded.Errors is null, recorded.Body);
        var next = await GraphQLSocket.ReceiveAsync(socket);
        Assert.Equal(("next", study), (next["type"]!.GetValue<string>(), next["payload"]!["data"]!["inferenceCompleted"]!["studyInstanceUid"]!.GetValue<string>()));
    }

    private static async Task<List<JsonNode>> PushedRecordsAsync(HttpClient client, Func<List<JsonNode>, bool> complete)
    {
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); ; await Task.Delay(50))
        {
            var answer = await LabelingApi.PostAsync(client, ByUser, new { user = Watcher });
            Assert.True(answer.Errors is null, answer.Body);
            List<JsonNode> records = [.. answer.Data!["accessAudit"]!["edges"]!.AsArray().Select(edge => edge!["node"]!)
                .Where(node => node["operation"]!.GetValue<string>() == Pushed)];
            if (complete(records))
            {
                return records;
            }
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"the watcher's pushed events are still recorded as {answer.Body}");
        }
    }

    private static string[] Studies(JsonNode record) => [.. record["studyInstanceUids"]!.AsArray().Select(uid => uid!.GetValue<string>()).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task a_pushed_events_record_that_fails_to_be_queued_is_logged_as_an_error_naming_its_studies()
    {
        var logs = new RecordedLogs();
        var queueing = new TaskCompletionSource();
        var record = new AuditRecord
        {
            At = DateTimeOffset.UtcNow, EventId = AuditEvents.PatientRecord, Action = AuditActions.Read, Outcome = AuditOutcomes.Success,
            OutcomeDescription = "2 events pushed", Service = "labeling", Operation = Pushed, UserId = Watcher,
            StudyInstanceUids = ["1.2.826.0.1.3680043.10.543.181"],
        };

        UnawaitedAudit.Observe(new ValueTask(queueing.Task), record, logs.CreateLogger(nameof(PushedEventsAudit)));
        queueing.SetException(new InvalidOperationException("the audit trail has stopped"));

        for (var waited = System.Diagnostics.Stopwatch.StartNew(); logs.Lines.IsEmpty; await Task.Delay(20))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "the failed record was not logged");
        }
        var (level, _, message, exception) = Assert.Single(logs.Lines);
        Assert.Equal(LogLevel.Error, level);
        Assert.Equal("the audit trail has stopped", exception?.Message);
        Assert.Contains($"{Pushed} for {Watcher}", message, StringComparison.Ordinal);
        Assert.Contains("1.2.826.0.1.3680043.10.543.181", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task events_pushed_to_a_subscription_are_one_record_naming_every_study_once_it_ends()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new LabelingHost(postgres, settings: Interval("01:00:00"));
        using var client = host.CreateClient();
        using var socket = await GraphQLSocket.SubscribeAsync(host, "results", Subscription, new { }, (Watcher, "radiologist"));
        string[] studies = ["1.2.826.0.1.3680043.10.543.171", "1.2.826.0.1.3680043.10.543.172", "1.2.826.0.1.3680043.10.543.173"];

        foreach (var study in studies)
        {
            await PushResultAsync(client, socket, study);
        }
        await GraphQLSocket.SendAsync(socket, new { id = "results", type = "complete" });
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);

        var record = Assert.Single(await PushedRecordsAsync(client, found => found.Count > 0));
        Assert.Equal(studies, Studies(record));
        Assert.Equal(("110110", "R", 0), (record["eventId"]!["code"]!.GetValue<string>(), record["action"]!.GetValue<string>(), record["outcome"]!.GetValue<int>()));
        Assert.StartsWith("3 events pushed", record["outcomeDescription"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_open_subscription_has_what_it_pushed_recorded_each_interval()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new LabelingHost(postgres, settings: Interval("00:00:00.200"));
        using var client = host.CreateClient();
        using var socket = await GraphQLSocket.SubscribeAsync(host, "results", Subscription, new { }, (Watcher, "radiologist"));
        const string First = "1.2.826.0.1.3680043.10.543.174";
        const string Second = "1.2.826.0.1.3680043.10.543.175";

        await PushResultAsync(client, socket, First);
        var once = await PushedRecordsAsync(client, found => found.Count > 0);
        await PushResultAsync(client, socket, Second);
        var twice = await PushedRecordsAsync(client, found => found.Count > 1);

        Assert.Equal([First], Studies(Assert.Single(once)));
        Assert.Equal([[First], [Second]], twice.Select(Studies).OrderBy(uids => uids[0], StringComparer.Ordinal));
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    [Fact]
    public async Task events_that_disclose_no_study_are_not_recorded()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var host = new LabelingHost(postgres, settings: Interval("01:00:00"));
        using var client = host.CreateClient();
        const string Unseen = "1.2.826.0.1.3680043.10.543.176";
        const string Seen = "1.2.826.0.1.3680043.10.543.177";

        using (var pipelines = await GraphQLSocket.SubscribeAsync(host, "pipelines", "subscription { inferenceCompleted { pipeline } }", new { }, (Watcher, "radiologist")))
        {
            var recorded = await LabelingApi.PostAsync(client, RecordResult, new
            {
                input = new { studyInstanceUid = Unseen, pipeline = "pass-through", resultUids = new[] { Unseen + ".1" }, durationMs = 5.0 },
            });
            Assert.True(recorded.Errors is null, recorded.Body);
            Assert.Equal("next", (await GraphQLSocket.ReceiveAsync(pipelines))["type"]!.GetValue<string>());
            await GraphQLSocket.SendAsync(pipelines, new { id = "pipelines", type = "complete" });
            await pipelines.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }
        // A later subscription that does disclose a study: its record is written after anything the first one left.
        using (var studies = await GraphQLSocket.SubscribeAsync(host, "results", Subscription, new { }, (Watcher, "radiologist")))
        {
            await PushResultAsync(client, studies, Seen);
            await GraphQLSocket.SendAsync(studies, new { id = "results", type = "complete" });
            await studies.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }

        var record = Assert.Single(await PushedRecordsAsync(client, found => found.Count > 0));
        Assert.Equal([Seen], Studies(record));
    }
}
