using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Cl2.Labeling.Tests;

/// <summary>Inference replicas send a result to a destination under a lease labeling gives (claimDelivery), and find the
/// deliveries whose holder let the lease run out (expiredDeliveryLeases).</summary>
public sealed class DeliveryLeaseTests(LabelingApi api) : IClassFixture<LabelingApi>, IAsyncLifetime
{
    private const string Claim = "mutation($input: ClaimDeliveryInput!) { claimDelivery(input: $input) { granted state replica leaseExpiresAt } }";
    private const string Expired = "query { expiredDeliveryLeases { inferenceResultId destination studyInstanceUid replica callingAeTitle objects { digest sopInstanceUid } } }";
    private const string Record = "mutation($input: RecordDeliveryInput!) { recordDelivery(input: $input) { id } }";

    public Task InitializeAsync() => api.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<string> ResultAsync(string study) => DeliveryRecordTests.ResultAsync(api, study);

    private async Task<JsonNode> ClaimAsync(string resultId, string destination, string replica, int leaseSeconds, string objectDigest) =>
        (await api.RunAsync(Claim, new
        {
            input = new
            {
                inferenceResultId = resultId, destination, replica, leaseSeconds, callingAeTitle = "MODALITY",
                objects = new[] { new { digest = objectDigest, sopInstanceUid = "1.2.840.9.1" } },
            },
        }))["claimDelivery"]!;

    [Fact]
    public async Task concurrent_claims_of_a_delivery_grant_it_to_exactly_one_replica()
    {
        var resultId = await ResultAsync("1.2.840.81");
        var seg = await api.StoreBlobAsync("seg");

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(replica => ClaimAsync(resultId, "PACS", $"inference-{replica}", 600, seg)));

        var granted = Assert.Single(claims, claim => claim["granted"]!.GetValue<bool>());
        Assert.All(claims.Where(claim => !claim["granted"]!.GetValue<bool>()), refused => Assert.Equal(("HELD", granted["replica"]!.GetValue<string>()),
            (refused["state"]!.GetValue<string>(), refused["replica"]!.GetValue<string>())));
    }

    [Fact]
    public async Task a_delivery_whose_lease_ran_out_is_listed_with_what_to_send()
    {
        var resultId = await ResultAsync("1.2.840.82");
        var seg = await api.StoreBlobAsync("seg");
        Assert.True((await ClaimAsync(resultId, "PACS", "inference-0", 600, seg))["granted"]!.GetValue<bool>());
        Assert.True((await ClaimAsync(resultId, "XNAT", "inference-0", 1, seg))["granted"]!.GetValue<bool>());

        var listed = await UntilListedAsync();

        var expired = Assert.Single(listed)!;
        Assert.Equal((resultId, "XNAT", "1.2.840.82", "inference-0", "MODALITY", seg),
            (expired["inferenceResultId"]!.GetValue<string>(), expired["destination"]!.GetValue<string>(), expired["studyInstanceUid"]!.GetValue<string>(),
                expired["replica"]!.GetValue<string>(), expired["callingAeTitle"]!.GetValue<string>(), expired["objects"]![0]!["digest"]!.GetValue<string>()));
    }

    [Fact]
    public async Task a_delivery_whose_lease_ran_out_goes_to_the_next_replica_that_asks()
    {
        var resultId = await ResultAsync("1.2.840.83");
        var seg = await api.StoreBlobAsync("seg");
        Assert.True((await ClaimAsync(resultId, "PACS", "inference-0", 1, seg))["granted"]!.GetValue<bool>());
        await UntilListedAsync();

        var takenOver = await ClaimAsync(resultId, "PACS", "inference-1", 600, seg);

        Assert.Equal((true, "inference-1"), (takenOver["granted"]!.GetValue<bool>(), takenOver["replica"]!.GetValue<string>()));
        Assert.Equal("HELD", (await ClaimAsync(resultId, "PACS", "inference-0", 600, seg))["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task a_delivery_recorded_delivered_is_claimed_by_nobody()
    {
        var resultId = await ResultAsync("1.2.840.84");
        var seg = await api.StoreBlobAsync("seg");
        Assert.True((await ClaimAsync(resultId, "PACS", "inference-0", 1, seg))["granted"]!.GetValue<bool>());
        await api.RunAsync(Record, new { input = new { inferenceResultId = resultId, destination = "PACS", outcome = "SUCCEEDED", attempt = 1 } });

        var again = await ClaimAsync(resultId, "PACS", "inference-1", 600, seg);

        Assert.Equal((false, "DELIVERED"), (again["granted"]!.GetValue<bool>(), again["state"]!.GetValue<string>()));
        Assert.Empty((await api.RunAsync(Expired))["expiredDeliveryLeases"]!.AsArray());
    }

    [Fact]
    public async Task a_claim_naming_a_blob_labeling_does_not_hold_is_refused_with_a_code()
    {
        var resultId = await ResultAsync("1.2.840.85");

        var refused = await api.PostAsync(Claim, new
        {
            input = new
            {
                inferenceResultId = resultId, destination = "PACS", replica = "inference-0", leaseSeconds = 60, callingAeTitle = "MODALITY",
                objects = new[] { new { digest = LabelingApi.DigestOf("never stored"), sopInstanceUid = "1.2.840.9.1" } },
            },
        });

        Assert.Equal("BLOB_NOT_FOUND", refused.FirstErrorCode);
    }

    /// <summary>Polls until a lease has run out (a second or so; bounded generously for a loaded machine).</summary>
    private async Task<JsonArray> UntilListedAsync()
    {
        for (var clock = Stopwatch.StartNew(); ; await Task.Delay(200))
        {
            var listed = (await api.RunAsync(Expired))["expiredDeliveryLeases"]!.AsArray();
            if (listed.Count > 0)
            {
                return listed;
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "no delivery lease ran out within 60 s");
        }
    }
}
