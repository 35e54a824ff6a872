using Cl2.Inference.Processing;
using Cl2.Labeling.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Tests.Processing;

/// <summary>
/// A replica's claim of a study is renewed while the study is processed (<see cref="StudyClaimRenewals"/>, which the
/// processing loop keeps from the claim to the study's release), against labeling as its own process: a run longer than
/// the lease is not taken over by another replica.
/// </summary>
public sealed class StudyClaimRenewalTests
{
    private const string Study = "1.2.826.0.1.3680043.10.1.22";

    /// <summary>Renewed every third; the waits below are several leases long, so only a renewal keeps the claim.</summary>
    private const int LeaseSeconds = 12;

    [Fact]
    public async Task a_claim_renewed_past_several_leases_is_not_taken_by_another_replica()
    {
        await using var postgres = await PostgresCluster.CreateAsync();
        var root = Directory.CreateTempSubdirectory("cl2-claim-renewal-").FullName;
        var labelingUrl = $"http://127.0.0.1:{FreePort.Next()}/";
        var labeling = await PlatformProcesses.StartLabelingAsync(root, labelingUrl, postgres);
        try
        {
            await RenewedClaimIsKeptAsync(labelingUrl);
        }
        finally
        {
            await labeling.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task RenewedClaimIsKeptAsync(string labelingUrl)
    {
        using var http = new HttpClient { BaseAddress = new Uri(labelingUrl), Timeout = TimeSpan.FromSeconds(30) };
        await ArchivedStudies.StoreAsync(http, Study);
        var client = new LabelingClient(http);
        Task<StudyProcessingClaimInfo> ClaimAsync(string replica) =>
            client.ClaimStudyProcessingAsync(new ClaimStudyProcessingInput(Study, replica, 0, LeaseSeconds));
        Assert.True((await ClaimAsync("inference-0")).Granted);
        using var services = new ServiceCollection().AddSingleton(client).BuildServiceProvider();
        var renewals = new StudyClaimRenewals(services, Options.Create(new ReplicaOptions { Name = "inference-0", LeaseSeconds = LeaseSeconds }),
            TimeProvider.System, NullLogger<StudyClaimRenewals>.Instance);

        using (renewals.KeepRenewed(Study))
        {
            await Task.Delay(TimeSpan.FromSeconds(2.5 * LeaseSeconds)); // the run goes on, far past the first lease

            var other = await ClaimAsync("inference-1");

            Assert.Equal((StudyProcessingClaimState.Held, "inference-0"), (other.State, other.Replica));
        }
    }
}
