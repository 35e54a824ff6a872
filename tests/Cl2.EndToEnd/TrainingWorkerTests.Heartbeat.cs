using System.Net;
using System.Text;

namespace Cl2.EndToEnd;

/// <summary>
/// A job whose worker goes a long stretch without an epoch report keeps its lease through the heartbeat: the worker
/// reaches labeling through a relay that holds its first request after the claim (the job's model task) for longer
/// than the lease — until a second worker has been asking for jobs for a while after the lease would have run out.
/// Without renewals that second worker would reclaim the job; with them the job finishes once, on its first attempt.
/// </summary>
public sealed partial class TrainingWorkerTests
{
    private const int ShortLeaseSeconds = 2;

    /// <summary>
    /// The rescuer's lease: long, so that a stall of the loaded machine longer than the short lease cannot take the job from
    /// the rescuer as well (the holder, free again, then claimed it as attempt 3 in one CI run). Only the holder's lease is
    /// what these tests let run out.
    /// </summary>
    private const int RescuerLeaseSeconds = 120;

    [Fact]
    public async Task a_job_that_outlasts_its_lease_between_reports_keeps_it_through_the_heartbeat_and_finishes_once() =>
        await WithHeldJobAsync(failRenewals: false, "the job to succeed", async run =>
        {
            Assert.True(run.Relay.LateClaims >= HoldingRelay.LateClaimsToRelease, $"the rescuer asked {run.Relay.LateClaims} times after the lease would have run out");
            Assert.Equal(("holder", 1), (run.Job.GetProperty("worker").GetString(), run.Job.GetProperty("attempt").GetInt32()));
            var events = await run.EventsAsync();
            Assert.Single(events, type => type == "training_claimed");
            Assert.Single(events, type => type == "training_succeeded");
            Assert.Contains("training_lease_renewed", events);
            Assert.DoesNotContain("took the job over", run.Holder.Output, StringComparison.Ordinal);
        });

    /// <summary>
    /// The holder's renewals fail (labeling unreachable for them) while its first request after the claim is held, until
    /// its lease runs out and the rescuer reclaims the job; the holder's next renewal is answered TRAINING_LEASE_LOST, and
    /// it cancels its job at once (the held request included) without reporting anything.
    /// </summary>
    [Fact]
    public async Task a_worker_whose_lease_was_reclaimed_stops_the_job_without_reporting_and_the_new_holder_finishes_it() =>
        await WithHeldJobAsync(failRenewals: true, "the rescuer to finish the job and the holder to stop", async run =>
        {
            Assert.Equal(("rescuer", 2), (run.Job.GetProperty("worker").GetString(), run.Job.GetProperty("attempt").GetInt32()));
            Assert.All(run.Job.GetProperty("progress").EnumerateArray(), epoch => Assert.Equal(2, epoch.GetProperty("attempt").GetInt32()));
            var events = await run.EventsAsync();
            Assert.Equal(2, events.Count(type => type == "training_claimed"));
            Assert.Single(events, type => type is "training_succeeded" or "training_failed");
            Assert.Contains("could not renew the lease, trying again at the next tick: Response status code does not indicate success: 503", run.Holder.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("attempt 1 failed", run.Holder.Output, StringComparison.Ordinal);
            // Stopped promptly, inside the held request: it never read the data, let alone reported an epoch.
            Assert.DoesNotContain("trains on", run.Holder.Output, StringComparison.Ordinal);
        });

    /// <summary>What a held-job run leaves to check: the finished job and both workers' output.</summary>
    private sealed record HeldJobRun(PostgresCluster Postgres, HoldingRelay Relay, BackgroundProcess Holder, string JobId, System.Text.Json.JsonElement Job)
    {
        public async Task<string[]> EventsAsync() =>
            (await PsqlAsync(Postgres, $"select type from cl2.mt_events where stream_id = '{JobId}' order by seq_id"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>
    /// One two-epoch job with a <see cref="ShortLeaseSeconds"/> lease: the holder claims it through the relay and is held;
    /// then the rescuer starts; waits for the job to succeed (and, with <paramref name="failRenewals"/>, for the holder to
    /// say it was taken over), then checks.
    /// </summary>
    private static async Task WithHeldJobAsync(bool failRenewals, string waitingFor, Func<HeldJobRun, Task> check)
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var state = Directory.CreateTempSubdirectory("cl2-heartbeat-").FullName;
        var (labelingProcess, labelingUrl) = await StartLabelingAsync(postgres, state);
        await using var labeling = labelingProcess;
        using var http = new HttpClient { BaseAddress = new Uri(labelingUrl), Timeout = TimeSpan.FromSeconds(200) };
        await using var relay = HoldingRelay.Start(new Uri(labelingUrl), TimeSpan.FromSeconds(failRenewals ? 0 : 2 * ShortLeaseSeconds), failRenewals);

        var modelId = (await LabelingHttp.GraphQLAsync(http, "mutation { registerModel(input: { name: \"liver-heartbeat\", task: \"liver-ct\" }) { id } }"))
            .GetProperty("registerModel").GetProperty("id").GetString()!;
        var jobId = (await LabelingHttp.GraphQLAsync(http, "mutation($model: ID!) { requestTraining(input: { modelId: $model, trigger: \"heartbeat\", recipe: { epochs: 2 } }) { id } }",
            new { model = modelId })).GetProperty("requestTraining").GetProperty("id").GetString()!;

        var leaseSettings = new Dictionary<string, string> { ["Training__Jobs__LeaseSeconds"] = $"{ShortLeaseSeconds}" };
        if (failRenewals)
        {
            // The relay's 503 has no body, as a proxy's with no labeling behind it: the labeling client would retry it
            // (Labeling:Retry) and hide the failed renewal whose handling, the heartbeat's next tick, this test is about.
            leaseSettings["Labeling__Retry__MaxAttempts"] = "1";
        }
        await using var holder = await StartWorkerAsync("holder", relay.Url, state, leaseSettings);
        await Eventually.IsTrueAsync(() => Task.FromResult(relay.IsHolding), [labeling, holder], "the holder to claim the job and be held", timeoutSeconds: 120);
        await using var rescuer = await StartWorkerAsync("rescuer", relay.Url, state,
            new Dictionary<string, string> { ["Training__Jobs__LeaseSeconds"] = $"{RescuerLeaseSeconds}" });

        await Eventually.IsTrueAsync(async () =>
        {
            await ThrowIfAnyFailedAsync(http, [jobId], holder, rescuer);
            return (await JobAsync(http, jobId)).GetProperty("status").GetString() == "SUCCEEDED"
                && (!failRenewals || holder.Output.Contains("took the job over", StringComparison.Ordinal));
        }, [labeling, holder, rescuer], waitingFor, timeoutSeconds: 120);

        await check(new HeldJobRun(postgres, relay, holder, jobId, await JobAsync(http, jobId)));
        // Workers still clearing their cohorts would race the removal of the state they write in.
        await holder.DisposeAsync();
        await rescuer.DisposeAsync();
        Directory.Delete(state, recursive: true);
    }

    /// <summary>
    /// Relays both workers' requests to labeling. The first model-task query (the holder's, right after its claim) is
    /// held for at least <c>minimumHold</c> and until the rescuer has asked for a job <see cref="LateClaimsToRelease"/>
    /// times after that minimum: so the holder's lease would have run out while the rescuer was asking. With
    /// <c>failRenewals</c>, renewals are answered 503 until the rescuer holds the job, and the hold never ends: the
    /// holder gets past it only by cancelling its request.
    /// </summary>
    private sealed class HoldingRelay : IAsyncDisposable
    {
        public const int LateClaimsToRelease = 5;

        private readonly HttpListener _listener = new();
        private readonly HttpClient _labeling;
        private readonly TimeSpan _minimumHold;
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Task _serving;
        private long _holdingSinceTicks;
        private int _lateClaims;

        private readonly bool _failRenewals;
        private volatile bool _rescuerClaimed;

        private HoldingRelay(Uri labelingUrl, TimeSpan minimumHold, bool failRenewals)
        {
            this._failRenewals = failRenewals;
            _labeling = new HttpClient { BaseAddress = labelingUrl, Timeout = TimeSpan.FromMinutes(2) };
            this._minimumHold = minimumHold;
            Url = $"http://127.0.0.1:{FreePort.Next()}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _serving = ServeAsync();
        }

        public string Url { get; }

        public bool IsHolding => Interlocked.Read(ref _holdingSinceTicks) != 0;

        public int LateClaims => Volatile.Read(ref _lateClaims);

        public static HoldingRelay Start(Uri labelingUrl, TimeSpan minimumHold, bool failRenewals) => new(labelingUrl, minimumHold, failRenewals);

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
                _ = Task.Run(() => RelayAsync(context));
            }
        }

        private async Task RelayAsync(HttpListenerContext context)
        {
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var text = Encoding.UTF8.GetString(body.ToArray());
            if (text.Contains("JobModelTask", StringComparison.Ordinal) && Interlocked.CompareExchange(ref _holdingSinceTicks, DateTimeOffset.UtcNow.UtcTicks, 0) == 0)
            {
                // Longer than the tests wait: with failRenewals only the holder's cancelling the request ends the hold.
                await Task.WhenAny(_released.Task, Task.Delay(TimeSpan.FromMinutes(5)));
            }
            else if (text.Contains("ClaimTrainingJob", StringComparison.Ordinal) && text.Contains("rescuer", StringComparison.Ordinal)
                && Interlocked.Read(ref _holdingSinceTicks) is var since and > 0 && DateTimeOffset.UtcNow.UtcTicks - since > _minimumHold.Ticks
                && Interlocked.Increment(ref _lateClaims) >= LateClaimsToRelease && !_failRenewals)
            {
                _released.TrySetResult();
            }
            var renewal = text.Contains("RenewTrainingLease", StringComparison.Ordinal);
            if (_failRenewals && renewal && !_rescuerClaimed)
            {
                context.Response.StatusCode = (int)HttpStatusCode.ServiceUnavailable;
                context.Response.Close();
                return;
            }

            using var request = new HttpRequestMessage(new HttpMethod(context.Request.HttpMethod), context.Request.Url!.PathAndQuery.TrimStart('/'));
            if (body.Length > 0 || context.Request.HasEntityBody)
            {
                request.Content = new ByteArrayContent(body.ToArray());
            }
            foreach (var name in context.Request.Headers.AllKeys.OfType<string>())
            {
                if (name is "Host" or "Content-Length" or "Connection" or "Transfer-Encoding" or "Expect")
                {
                    continue;
                }
                var value = context.Request.Headers[name]!;
                if (!request.Headers.TryAddWithoutValidation(name, value))
                {
                    request.Content?.Headers.TryAddWithoutValidation(name, value);
                }
            }
            try
            {
                using var response = await _labeling.SendAsync(request);
                var bytes = await response.Content.ReadAsByteArrayAsync();
                var answer = Encoding.UTF8.GetString(bytes);
                if (text.Contains("ClaimTrainingJob", StringComparison.Ordinal) && text.Contains("rescuer", StringComparison.Ordinal)
                    && answer.Contains("\"claimTrainingJob\":{", StringComparison.Ordinal))
                {
                    _rescuerClaimed = true;
                }
                context.Response.StatusCode = (int)response.StatusCode;
                if (response.Content.Headers.ContentType is { } type)
                {
                    context.Response.ContentType = type.ToString();
                }
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
            }
            catch (HttpRequestException)
            {
                context.Response.StatusCode = (int)HttpStatusCode.BadGateway;
            }
            finally
            {
                context.Response.Close();
            }
        }

        public async ValueTask DisposeAsync()
        {
            _released.TrySetResult();
            _listener.Stop();
            _listener.Close();
            await _serving;
            _labeling.Dispose();
        }
    }
}
