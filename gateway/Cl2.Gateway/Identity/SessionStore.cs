using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Cl2.Gateway.Identity;

/// <summary>
/// The browser sessions, tokens included, in the gateway's memory: the cookie carries only a random key. A gateway restart
/// (or a second replica) does not know the session, and the browser signs in again; a shared store belongs here when the
/// gateway runs as several replicas.
/// </summary>
public sealed class SessionStore(TimeProvider time) : ITicketStore
{
    private readonly ConcurrentDictionary<string, AuthenticationTicket> _sessions = new(StringComparer.Ordinal);

    public Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        Forget();
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        _sessions[key] = ticket;
        return Task.FromResult(key);
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        _sessions[key] = ticket;
        return Task.CompletedTask;
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key) =>
        Task.FromResult(_sessions.TryGetValue(key, out var ticket) && !Expired(ticket) ? ticket : null);

    public Task RemoveAsync(string key)
    {
        _sessions.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    /// <summary>Drops expired sessions (at each new sign-in: cheap, and memory never holds more than the live ones plus a day's).</summary>
    private void Forget()
    {
        foreach (var (key, ticket) in _sessions)
        {
            if (Expired(ticket))
            {
                _sessions.TryRemove(key, out _);
            }
        }
    }

    private bool Expired(AuthenticationTicket ticket) => ticket.Properties.ExpiresUtc is { } expires && expires < time.GetUtcNow();

    /// <summary>The claim the cookie handler puts the session key in.</summary>
    public static string? KeyOf(AuthenticateResult result) =>
        result.Principal?.FindFirst("Microsoft.AspNetCore.Authentication.Cookies-SessionId")?.Value;

    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;
}
