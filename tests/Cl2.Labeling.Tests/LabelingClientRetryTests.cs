using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Cl2.Labeling.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cl2.Labeling.Tests;

/// <summary>
/// The typed client as inference and training register it (<c>AddLabelingClient</c>), against a real labeling that is not
/// up yet, a port where nothing listens, or a relay that loses the connection after labeling answered: what never reached
/// labeling is retried within Labeling:Retry, what may have reached it is not.
/// </summary>
public sealed class LabelingClientRetryTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    private const string Digest = "sha256:cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd";

    /// <summary>A client of labeling at <paramref name="port"/> with <paramref name="retry"/> (Labeling:Retry settings), logging to <paramref name="logs"/>.</summary>
    private static ServiceProvider Services(int port, RecordedLogs logs, params (string Key, string Value)[] retry)
    {
        var settings = new Dictionary<string, string?> { ["Labeling:BaseAddress"] = $"http://127.0.0.1:{port}/" };
        foreach (var (key, value) in retry)
        {
            settings[$"{LabelingRetryOptions.Section}:{key}"] = value;
        }
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddLogging(logging => logging.AddProvider(logs));
        services.AddLabelingClient();
        // The retry window of a test may be longer than HttpClient's default time-out (100 s), which would end the call first.
        services.AddHttpClient(nameof(LabelingClient)).ConfigureHttpClient(http => http.Timeout = Generous + Generous);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    private static List<string> Retries(RecordedLogs logs) =>
        [.. logs.Lines.Where(line => line.Category == typeof(LabelingRetryHandler).FullName && line.Level == LogLevel.Information).Select(line => line.Message)];

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Generous;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited {Generous} for {what}");
            await Task.Delay(100);
        }
    }

    private static async Task<int> VersionCountAsync(LabelingClient client, Guid modelId) =>
        (await client.QueryAsync<System.Text.Json.JsonElement>("query($id: ID!) { model(id: $id) { versions { id } } }", new { id = modelId }))
            .GetProperty("model").GetProperty("versions").GetArrayLength();

    private static string UniqueName() => $"retry-{Guid.NewGuid():N}";

    [Fact]
    public async Task a_mutation_sent_before_labeling_listens_is_applied_once_labeling_comes_up_within_the_window()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var port = FreePort.Next();
        var logs = new RecordedLogs();
        await using var services = Services(port, logs, ("MaxAttempts", "100"), ("FirstDelay", "00:00:00.100"), ("MaxDelay", "00:00:02"), ("Window", "00:03:00"));
        var client = services.GetRequiredService<LabelingClient>();
        var name = UniqueName();

        var registering = client.RegisterModelAsync(name, "liver-ct");
        await UntilAsync(() => Task.FromResult(Retries(logs).Count > 0), "the first refused connection to be retried");
        await using var host = new LabelingHost(postgres, urls: $"http://127.0.0.1:{port}");
        host.UseKestrel();
        host.StartServer();

        var id = await registering.WaitAsync(Generous);
        Assert.Equal(id, await client.ModelIdAsync(name));
        Assert.All(Retries(logs), line => Assert.Contains("could not connect (ConnectionError)", line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task a_mutation_whose_connection_is_lost_after_labeling_answered_is_not_sent_again()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var labelingPort = FreePort.Next();
        await using var host = new LabelingHost(postgres, urls: $"http://127.0.0.1:{labelingPort}");
        host.UseKestrel();
        host.StartServer();
        await using var relay = new DroppingRelay(labelingPort);
        var logs = new RecordedLogs();
        await using var direct = Services(labelingPort, logs);
        await using var relayed = Services(relay.Port, logs, ("MaxAttempts", "100"), ("Window", "00:03:00"));
        var modelId = await direct.GetRequiredService<LabelingClient>().RegisterModelAsync(UniqueName(), "liver-ct");

        var lost = await Assert.ThrowsAsync<HttpRequestException>(() => relayed.GetRequiredService<LabelingClient>()
            .RegisterModelVersionAsync(new RegisterModelVersionInput(modelId, [], Digest, Digest, "git:retry")).WaitAsync(Generous));

        Assert.Null(lost.StatusCode);
        Assert.Empty(Retries(logs));
        Assert.Equal(1, relay.Connections);
        var versions = 0;
        await UntilAsync(async () => (versions = await VersionCountAsync(direct.GetRequiredService<LabelingClient>(), modelId)) > 0,
            $"the version registered (labeling's answer, which the relay dropped, began: {relay.DroppedAnswer})");
        Assert.Equal(1, versions);
    }

    [Fact]
    public async Task a_labeling_that_never_comes_fails_the_call_with_the_connection_error_once_the_window_is_over()
    {
        var logs = new RecordedLogs();
        await using var services = Services(FreePort.Next(), logs, ("MaxAttempts", "100"), ("FirstDelay", "00:00:00.050"), ("MaxDelay", "00:00:00.200"),
            ("Window", "00:00:02"));

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => services.GetRequiredService<LabelingClient>()
            .RegisterModelAsync(UniqueName(), "liver-ct").WaitAsync(Generous));

        Assert.Equal(HttpRequestError.ConnectionError, refused.HttpRequestError);
        // Retried, and stopped by the window: 2 s of waits of at least 25 ms each leave most of the 99 retries unused.
        Assert.InRange(Retries(logs).Count, 2, 90);
    }

    [Fact]
    public void only_failures_that_cannot_have_reached_labelings_handler_are_retried_for_a_mutation_and_answers_of_a_proxy_for_a_read()
    {
        using var mutation = Request(readOnly: false);
        using var read = Request(readOnly: true);
        using var upload = new HttpRequestMessage(HttpMethod.Post, "blobs") { Content = new StreamContent(new MemoryStream([1, 2, 3])) };
        using var proxy503 = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        using var graphQL503 = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
        {
            Content = JsonContent.Create(new { errors = new[] { new { message = "timed out" } } }, new System.Net.Http.Headers.MediaTypeHeaderValue("application/graphql-response+json")),
        };
        using var badGateway = new HttpResponseMessage(HttpStatusCode.BadGateway);
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused");
        var ended = new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely");

        Assert.NotNull(LabelingRetryHandler.NotReceived(mutation, refused));
        Assert.NotNull(LabelingRetryHandler.NotReceived(upload, refused));
        Assert.Null(LabelingRetryHandler.NotReceived(mutation, ended));
        Assert.NotNull(LabelingRetryHandler.NotReceived(read, ended));
        Assert.NotNull(LabelingRetryHandler.NotReceived(mutation, proxy503));
        Assert.Null(LabelingRetryHandler.NotReceived(upload, proxy503));
        Assert.Null(LabelingRetryHandler.NotReceived(mutation, graphQL503));
        Assert.NotNull(LabelingRetryHandler.NotReceived(read, graphQL503));
        Assert.Null(LabelingRetryHandler.NotReceived(mutation, badGateway));
        Assert.NotNull(LabelingRetryHandler.NotReceived(read, badGateway));
    }

    [Fact]
    public void a_retry_delay_shorter_than_the_first_is_refused_at_start()
    {
        var refused = new LabelingRetryOptions { FirstDelay = TimeSpan.FromSeconds(2), MaxDelay = TimeSpan.FromSeconds(1) }
            .Validate(new System.ComponentModel.DataAnnotations.ValidationContext(new object())).ToList();

        Assert.Contains(refused, result => result.ErrorMessage!.Contains("MaxDelay", StringComparison.Ordinal));
    }

    private static HttpRequestMessage Request(bool readOnly)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "graphql") { Content = JsonContent.Create(new { query = "{ x }" }) };
        request.Options.Set(LabelingRetryHandler.ReadOnly, readOnly);
        return request;
    }

    /// <summary>
    /// A TCP relay in front of labeling that passes each request on and, once labeling starts to answer, resets the caller's
    /// connection instead of passing the answer back: a connection lost after the request reached labeling's handler.
    /// </summary>
    private sealed class DroppingRelay : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly int _target;
        private readonly Task _accepting;
        private int _connections;

        public DroppingRelay(int target)
        {
            _target = target;
            Port = FreePort.Next();
            _listener = new TcpListener(IPAddress.Loopback, Port);
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public int Port { get; }

        public int Connections => Volatile.Read(ref _connections);

        /// <summary>The first bytes of labeling's last answer, as text, for a failure's message.</summary>
        public string DroppedAnswer { get; private set; } = "";

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _accepting;
        }

        private async Task AcceptAsync()
        {
            while (true)
            {
                TcpClient caller;
                try
                {
                    caller = await _listener.AcceptTcpClientAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }
                Interlocked.Increment(ref _connections);
                _ = RelayAsync(caller);
            }
        }

        private async Task RelayAsync(TcpClient caller)
        {
            using (caller)
            {
                using var labeling = new TcpClient();
                await labeling.ConnectAsync(IPAddress.Loopback, _target);
                var passing = caller.GetStream().CopyToAsync(labeling.GetStream());
                var answer = new byte[4096];
                var read = await labeling.GetStream().ReadAtLeastAsync(answer, 1, throwOnEndOfStream: false);
                DroppedAnswer = System.Text.Encoding.ASCII.GetString(answer, 0, read);
                caller.Client.LingerState = new LingerOption(true, 0); // closing now sends a reset
                caller.Client.Close();
                try
                {
                    await passing;
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
                {
                    // The caller's side is gone, as intended.
                }
            }
        }
    }
}
