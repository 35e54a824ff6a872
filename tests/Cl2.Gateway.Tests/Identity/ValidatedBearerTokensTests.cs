using System.Globalization;
using System.Security.Claims;
using Cl2.ServiceDefaults.Identity;

namespace Cl2.Gateway.Tests.Identity;

public sealed class ValidatedBearerTokensTests
{
    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly DateTimeOffset Issued = new(2026, 12, 6, 4, 0, 0, TimeSpan.Zero);

    private static ClaimsPrincipal Caller(string name, DateTimeOffset? expires) => new(new ClaimsIdentity(
        [new Claim("name", name), .. expires is { } at ? [new Claim("exp", at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))] : Array.Empty<Claim>()],
        "Bearer", "name", "role"));

    [Fact]
    public void a_validated_token_is_known_with_its_caller_until_it_expires()
    {
        var clock = new Clock(Issued);
        var tokens = new ValidatedBearerTokens(clock);
        tokens.Add("token-a", Caller("anna", Issued.AddMinutes(5)));

        clock.Now = Issued.AddMinutes(4);
        Assert.True(tokens.TryGet("token-a", out var caller));
        Assert.Equal("anna", caller.Identity!.Name);
    }

    [Fact]
    public void an_expired_token_is_no_longer_known_so_it_is_validated_again()
    {
        var clock = new Clock(Issued);
        var tokens = new ValidatedBearerTokens(clock);
        tokens.Add("token-a", Caller("anna", Issued.AddMinutes(5)));

        clock.Now = Issued.AddMinutes(5);

        Assert.False(tokens.TryGet("token-a", out _));
    }

    [Fact]
    public void a_long_lived_token_is_checked_in_full_again_after_a_while()
    {
        var clock = new Clock(Issued);
        var tokens = new ValidatedBearerTokens(clock);
        tokens.Add("token-a", Caller("anna", Issued.AddHours(8)));

        clock.Now = Issued + ValidatedBearerTokens.RememberFor;

        Assert.False(tokens.TryGet("token-a", out _));
    }

    [Fact]
    public void a_token_without_an_expiry_is_not_remembered()
    {
        var tokens = new ValidatedBearerTokens(new Clock(Issued));
        tokens.Add("token-a", Caller("anna", expires: null));

        Assert.False(tokens.TryGet("token-a", out _));
    }

    [Fact]
    public void another_token_of_the_same_caller_is_not_known_until_it_validates()
    {
        var tokens = new ValidatedBearerTokens(new Clock(Issued));
        tokens.Add("token-a", Caller("anna", Issued.AddMinutes(5)));

        Assert.False(tokens.TryGet("token-b", out _));
    }

    [Fact]
    public void a_full_memory_starts_again_rather_than_growing()
    {
        var tokens = new ValidatedBearerTokens(new Clock(Issued));
        for (var i = 0; i < ValidatedBearerTokens.Capacity; i++)
        {
            tokens.Add($"token-{i}", Caller($"user-{i}", Issued.AddMinutes(5)));
        }

        tokens.Add("one-more", Caller("late", Issued.AddMinutes(5)));

        Assert.False(tokens.TryGet("token-0", out _));
        Assert.True(tokens.TryGet("one-more", out _));
    }
}
