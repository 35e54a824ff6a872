using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;

namespace Cl2.ServiceDefaults.Identity;

/// <summary>
/// The bearer tokens a host has validated, each with its caller, until the token's own expiry. Checking a token's
/// signature and claims costs more CPU than the rest of a small request (a DICOMweb frame, a GraphQL query), and a client
/// sends the same token for the whole of its life: a viewer's hundreds of frame requests, a worker's polls. A token is
/// immutable, so remembering the answer of its first full check changes nothing but the cost; a token that was never
/// valid is never remembered (made-up ones cannot fill it), an expired one is checked again (and refused), at most
/// <see cref="Capacity"/> are kept and when full it starts again empty. What the full check would learn later (a signing
/// key withdrawn from the provider's JWKS) reaches a remembered token within <see cref="RememberFor"/>, whatever its
/// lifetime. Used by <see cref="CallerIdentity.AddBearerTokenValidation"/> for every host's JWT bearer scheme.
/// </summary>
public sealed class ValidatedBearerTokens(TimeProvider clock)
{
    public const int Capacity = 10_000;

    /// <summary>The longest a token is remembered before it is checked in full again (sooner where it expires sooner).</summary>
    public static readonly TimeSpan RememberFor = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, Validated> _tokens = new(StringComparer.Ordinal);

    private sealed record Validated(ClaimsPrincipal Caller, DateTimeOffset Expires);

    /// <summary>The caller of a token validated before and not yet expired.</summary>
    public bool TryGet(string token, out ClaimsPrincipal caller)
    {
        if (_tokens.TryGetValue(token, out var validated))
        {
            if (clock.GetUtcNow() < validated.Expires)
            {
                caller = validated.Caller;
                return true;
            }
            _tokens.TryRemove(token, out _);
        }
        caller = null!;
        return false;
    }

    /// <summary>Remembers a token that has just validated, until its <c>exp</c> or for <see cref="RememberFor"/>, whichever
    /// comes first; a token without an <c>exp</c> is not remembered.</summary>
    public void Add(string token, ClaimsPrincipal caller)
    {
        if (caller.FindFirst("exp")?.Value is not { } exp
            || !long.TryParse(exp, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            return;
        }
        if (_tokens.Count >= Capacity)
        {
            _tokens.Clear();
        }
        var expires = DateTimeOffset.FromUnixTimeSeconds(seconds);
        var recheck = clock.GetUtcNow() + RememberFor;
        _tokens[token] = new Validated(caller, expires < recheck ? expires : recheck);
    }
}
