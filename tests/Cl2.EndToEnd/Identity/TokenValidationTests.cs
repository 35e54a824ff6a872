using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cl2.EndToEnd.Identity;

/// <summary>
/// Tokens made by the test with the provider's own signing key (read from its key folder), so each one is wrong in exactly
/// one way; labeling's archive is asked through the gateway with each. The control: a well-made one is accepted.
/// </summary>
[Collection(SignedInPlatform.Collection)]
public sealed class TokenValidationTests(SignedInPlatform platform)
{
    [Fact]
    public async Task a_token_made_with_the_providers_key_issuer_and_audience_is_accepted()
    {
        Assert.Equal(HttpStatusCode.OK, await QidoAsync(Forge(ProviderKey())));
    }

    [Theory]
    [InlineData("expired")]
    [InlineData("for another audience")]
    [InlineData("from another issuer")]
    [InlineData("signed by another key")]
    [InlineData("unsigned (alg none)")]
    public async Task a_token_that_is_wrong_in_one_way_is_refused(string defect)
    {
        var key = ProviderKey();
        var token = defect switch
        {
            "expired" => Forge(key, expires: DateTime.UtcNow.AddMinutes(-10)),
            "for another audience" => Forge(key, audience: "another-api"),
            "from another issuer" => Forge(key, issuer: "http://127.0.0.1:1/"),
            "signed by another key" => Forge(new RsaSecurityKey(RSA.Create(2048)) { KeyId = key.KeyId }),
            "unsigned (alg none)" => Unsigned(),
            _ => throw new ArgumentOutOfRangeException(nameof(defect)),
        };

        Assert.Equal(HttpStatusCode.Unauthorized, await QidoAsync(token));
    }

    // The gateway and every service remember a token they have validated (ValidatedBearerTokens); what they remember must
    // not outlive the token, and must not stand for any other token.

    [Fact]
    public async Task a_token_accepted_before_is_refused_once_it_has_expired()
    {
        // Accepted until its expiry plus the validation's 30 s of clock skew; a remembered token must not stay accepted after.
        var token = Forge(ProviderKey(), expires: DateTime.UtcNow.AddSeconds(10));
        Assert.Equal(HttpStatusCode.OK, await QidoAsync(token));

        await Eventually.IsTrueAsync(async () => await QidoAsync(token) == HttpStatusCode.Unauthorized, platform.Services,
            "the expired token refused", timeoutSeconds: 180);
    }

    [Fact]
    public async Task a_token_altered_after_it_was_accepted_is_refused()
    {
        var token = Forge(ProviderKey());
        Assert.Equal(HttpStatusCode.OK, await QidoAsync(token));
        var parts = token.Split('.');
        var otherSignature = $"{parts[0]}.{parts[1]}.{(parts[2][0] == 'A' ? 'B' : 'A')}{parts[2][1..]}";
        var claimsOfAnother = $"{parts[0]}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(
            Base64UrlEncoder.Decode(parts[1]).Replace("\"annotator\"", "\"admin\"", StringComparison.Ordinal)))}.{parts[2]}";

        Assert.Equal(HttpStatusCode.Unauthorized, await QidoAsync(otherSignature));
        Assert.Equal(HttpStatusCode.Unauthorized, await QidoAsync(claimsOfAnother));
        Assert.Equal(HttpStatusCode.OK, await QidoAsync(token));
    }

    private async Task<HttpStatusCode> QidoAsync(string token)
    {
        using var http = platform.Client(token);
        using var response = await http.GetAsync(new Uri("dicomweb/studies", UriKind.Relative));
        return response.StatusCode;
    }

    private RsaSecurityKey ProviderKey()
    {
        var path = Directory.GetFiles(platform.KeysPath, "signing-*.pem").Single();
        var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(path));
        return new RsaSecurityKey(rsa) { KeyId = Path.GetFileNameWithoutExtension(path) };
    }

    private string Forge(SecurityKey key, DateTime? expires = null, string audience = "cl2", string? issuer = null)
    {
        var until = expires ?? DateTime.UtcNow.AddMinutes(10);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? platform.Gateway.ToString(),
            Audience = audience,
            IssuedAt = until.AddMinutes(-20),
            NotBefore = until.AddMinutes(-20),
            Expires = until,
            Subject = new ClaimsIdentity([new Claim("sub", "annotator"), new Claim("name", "annotator"), new Claim("role", "annotator")]),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    private string Unsigned()
    {
        static string Part(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return Part("""{"alg":"none","typ":"JWT"}""") + "." +
               Part($$"""{"iss":"{{platform.Gateway}}","aud":"cl2","sub":"annotator","name":"annotator","role":"admin","nbf":{{now - 60}},"iat":{{now - 60}},"exp":{{now + 600}}}""") + ".";
    }
}
