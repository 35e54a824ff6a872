using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Client;

/// <summary>
/// The service's own access token, got from the OpenID Connect provider by client credentials
/// (<see cref="LabelingClientOptions.ClientId"/> / <see cref="LabelingClientOptions.ClientSecret"/>; the token endpoint is
/// read from the provider's discovery document) and kept until shortly before it expires, so a long job never sends an
/// expired token and the provider is asked once per token, not once per request.
/// </summary>
public sealed class ServiceTokenSource(IHttpClientFactory httpClients, IOptions<LabelingClientOptions> options, TimeProvider time)
{
    public const string HttpClientName = "cl2-service-token";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (string Token, DateTimeOffset RenewAt)? _current;

    public bool Enabled => options.Value.ClientId.Trim().Length > 0;

    /// <summary>The current token, or a new one where it is due for renewal (or <paramref name="renew"/> after a 401).</summary>
    public async Task<string> GetAsync(bool renew, CancellationToken cancellationToken)
    {
        if (!renew && _current is { } held && time.GetUtcNow() < held.RenewAt)
        {
            return held.Token;
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!renew && _current is { } fresh && time.GetUtcNow() < fresh.RenewAt)
            {
                return fresh.Token;
            }
            _current = await RequestAsync(cancellationToken).ConfigureAwait(false);
            return _current.Value.Token;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<(string, DateTimeOffset)> RequestAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.Authority.Length == 0)
        {
            throw new InvalidOperationException(
                $"Labeling:ClientId is '{settings.ClientId}' but no provider is configured: set Identity:Authority (or Labeling:Authority) to the OpenID Connect issuer.");
        }
        using var http = httpClients.CreateClient(HttpClientName);
        var issuer = settings.Authority.EndsWith('/') ? settings.Authority : settings.Authority + "/";
        using var discovery = JsonDocument.Parse(await http.GetStringAsync(new Uri(new Uri(issuer), ".well-known/openid-configuration"), cancellationToken).ConfigureAwait(false));
        var tokenEndpoint = discovery.RootElement.GetProperty("token_endpoint").GetString()
            ?? throw new InvalidOperationException($"The provider at {issuer} names no token_endpoint in its discovery document.");
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = settings.ClientId.Trim(),
                ["client_secret"] = settings.ClientSecret,
                ["scope"] = settings.Scope,
            }),
        };
        var started = time.GetUtcNow();
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"The provider refused client '{settings.ClientId}' ({(int)response.StatusCode}: {body}). Check Labeling:ClientId and Labeling:ClientSecret against the provider's client.",
                null, response.StatusCode);
        }
        using var answer = JsonDocument.Parse(body);
        var token = answer.RootElement.GetProperty("access_token").GetString()!;
        var lifetime = TimeSpan.FromSeconds(answer.RootElement.TryGetProperty("expires_in", out var expiresIn) ? expiresIn.GetInt32() : 300);
        // Renewed once four fifths of its life are gone: well before the services (30 s clock skew) refuse it.
        return (token, started + lifetime * 0.8);
    }
}

/// <summary>Puts the service's token on every request, and on a 401 gets a new one and tries once more.</summary>
public sealed class ServiceTokenHandler(ServiceTokenSource tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!tokens.Enabled)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetAsync(renew: false, cancellationToken).ConfigureAwait(false));
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        // The token was revoked or the provider's keys changed under it: a new token, once. Only a request without a body is
        // repeated (a body may be a stream already read).
        if (response.StatusCode != System.Net.HttpStatusCode.Unauthorized || request.Content is not null)
        {
            return response;
        }
        response.Dispose();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetAsync(renew: true, cancellationToken).ConfigureAwait(false));
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}

public static class ServiceCredentialsRegistration
{
    /// <summary>Every request of this client carries the service's access token (when <see cref="LabelingClientOptions.ClientId"/> is set).</summary>
    public static IHttpClientBuilder AddServiceCredentials(this IHttpClientBuilder builder)
    {
        builder.Services.AddHttpClient(ServiceTokenSource.HttpClientName);
        builder.Services.TryAddTransient<ServiceTokenHandler>();
        builder.Services.TryAddSingleton<ServiceTokenSource>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder.AddHttpMessageHandler<ServiceTokenHandler>();
    }
}
