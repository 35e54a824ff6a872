using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Client;

/// <summary>
/// Retries a call to labeling (a restart, a proxy with no labeling behind it) only where a second try cannot make a
/// mutation take effect twice, within <see cref="LabelingRetryOptions"/>; the last failure reaches the caller as it would
/// have without retries (the same exception, or the same response). Any call is retried when it never reached labeling:
/// the connection could not be made (refused, no route, a name that does not resolve), or the answer was a 503 that no
/// GraphQL handler wrote (YARP's "no available destination", a rate limiter's refusal: neither passes the request on;
/// labeling's own 503, a GraphQL operation that ran out of time, comes as a GraphQL response and may have changed state).
/// A read (GET or HEAD, or a GraphQL query marked <see cref="ReadOnly"/>) is also retried after a 502, 503 or 504 and after a
/// connection lost mid-way, since repeating it changes nothing. A 502 is never retried for a mutation: YARP answers it both
/// when it could not connect and when labeling's connection broke after the request went.
/// </summary>
public sealed class LabelingRetryHandler(IOptions<LabelingRetryOptions> options, TimeProvider time, ILogger<LabelingRetryHandler> logger) : DelegatingHandler
{
    /// <summary>Set on a request that only reads (a GraphQL query without side effects), so failures after it was sent may be retried.</summary>
    public static readonly HttpRequestOptionsKey<bool> ReadOnly = new("cl2.labeling.read-only");

    /// <summary>What the request is, for the log (a GraphQL operation's name).</summary>
    public static readonly HttpRequestOptionsKey<string> Operation = new("cl2.labeling.operation");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var started = time.GetTimestamp();
        for (var retry = 1; ; retry++)
        {
            HttpResponseMessage response;
            TimeSpan? wait;
            try
            {
                response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException failure) when (NotReceived(request, failure) is { } reason && (wait = Wait(settings, retry, started)) is not null)
            {
                await RetryAsync(request, retry, wait.Value, reason, cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (NotReceived(request, response) is { } answered && Wait(settings, retry, started) is { } delay)
            {
                response.Dispose();
                await RetryAsync(request, retry, delay, answered, cancellationToken).ConfigureAwait(false);
                continue;
            }
            return response;
        }
    }

    /// <summary>Why <paramref name="failure"/> may be retried for <paramref name="request"/>, or null when it may not.</summary>
    public static string? NotReceived(HttpRequestMessage request, HttpRequestException failure) => failure switch
    {
        // Raised while connecting: nothing of the request was sent, and its content was not read.
        { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } =>
            $"could not connect ({failure.HttpRequestError}): {failure.Message}",
        // The connection broke after the request may have gone: only a read may go again.
        { StatusCode: null, HttpRequestError: HttpRequestError.Unknown or HttpRequestError.ResponseEnded or HttpRequestError.HttpProtocolError }
            when IsRead(request) && CanSendAgain(request) => $"a read whose connection broke ({failure.HttpRequestError}): {failure.Message}",
        _ => null,
    };

    /// <summary>Why <paramref name="response"/> may be retried for <paramref name="request"/>, or null when it is the answer.</summary>
    public static string? NotReceived(HttpRequestMessage request, HttpResponseMessage response) => response.StatusCode switch
    {
        _ when !CanSendAgain(request) => null,
        HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout when IsRead(request) =>
            $"HTTP {(int)response.StatusCode} on a read",
        HttpStatusCode.ServiceUnavailable when response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.OrdinalIgnoreCase) != true =>
            "HTTP 503 that no GraphQL handler wrote (a proxy without a labeling to send to, or a rate limit)",
        _ => null,
    };

    private static bool IsRead(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || (request.Options.TryGetValue(ReadOnly, out var read) && read);

    /// <summary>Content that is written afresh on every send; a stream's may have been read (part of it) already.</summary>
    private static bool CanSendAgain(HttpRequestMessage request) => request.Content is null or JsonContent or ByteArrayContent;

    private TimeSpan? Wait(LabelingRetryOptions settings, int retry, long started)
    {
        var wait = settings.Delay(retry, Random.Shared.NextDouble());
        return retry < settings.MaxAttempts && time.GetElapsedTime(started) + wait <= settings.Window ? wait : null;
    }

    private async Task RetryAsync(HttpRequestMessage request, int retry, TimeSpan wait, string reason, CancellationToken cancellationToken)
    {
        logger.LogInformation("Retrying {Operation} ({Method} {Uri}) in {Wait} ms, retry {Retry} of at most {Retries}: {Reason}",
            request.Options.TryGetValue(Operation, out var operation) ? operation : "a call", request.Method, request.RequestUri, (int)wait.TotalMilliseconds, retry,
            options.Value.MaxAttempts - 1, reason);
        await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
    }
}

public static class LabelingRetryRegistration
{
    /// <summary>Retries this client's calls that did not reach labeling (<see cref="LabelingRetryHandler"/>); add it before the
    /// credentials, so that each try gets a current token.</summary>
    public static IHttpClientBuilder AddLabelingRetries(this IHttpClientBuilder builder)
    {
        builder.Services.AddOptions<LabelingRetryOptions>().BindConfiguration(LabelingRetryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddTransient<LabelingRetryHandler>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder.AddHttpMessageHandler<LabelingRetryHandler>();
    }
}
