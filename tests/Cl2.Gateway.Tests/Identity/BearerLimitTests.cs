using System.Net;
using System.Net.Http.Headers;

namespace Cl2.Gateway.Tests.Identity;

/// <summary>Issue 17: the gateway validates bearer tokens itself, so its rate limit tells callers apart by who they are
/// even when they share an address (one hospital's NAT, one workstation).</summary>
public sealed class BearerLimitTests
{
    private static readonly Dictionary<string, string> Tight = new()
    {
        ["Gateway:Limits:RequestsPerSecond"] = "1",
        ["Gateway:Limits:Burst"] = "5",
    };

    private static async Task<HttpStatusCode[]> GetAsync(HttpClient client, Func<int, string> token, int count)
    {
        var statuses = new HttpStatusCode[count];
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "graphql/probe");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token(i));
            using var response = await client.SendAsync(request);
            statuses[i] = response.StatusCode;
        }
        return statuses;
    }

    [Fact]
    public async Task a_burst_from_one_users_token_gets_429_while_another_users_token_from_the_same_address_succeeds()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var provider = await ProviderHost.StartAsync(postgres, labeling: labeling.Address, more: Tight);
        var (annotator, radiologist) = (await provider.UserTokenAsync("annotator"), await provider.UserTokenAsync("radiologist"));
        using var client = new HttpClient { BaseAddress = provider.Address };

        var annotatorStatuses = await GetAsync(client, _ => annotator, 20);
        var radiologistStatuses = await GetAsync(client, _ => radiologist, 3);

        Assert.Contains(HttpStatusCode.TooManyRequests, annotatorStatuses);
        Assert.All(radiologistStatuses, status => Assert.Equal(HttpStatusCode.OK, status));
    }

    [Fact]
    public async Task tokens_the_gateway_cannot_validate_share_the_limit_of_their_address()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        await using var labeling = await RecordingBackend.StartAsync("labeling");
        await using var provider = await ProviderHost.StartAsync(postgres, labeling: labeling.Address, more: Tight);
        using var client = new HttpClient { BaseAddress = provider.Address };

        // Each request a different made-up token: none may open a bucket of its own.
        var statuses = await GetAsync(client, i => $"made-up-token-{i}", 20);

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }
}
