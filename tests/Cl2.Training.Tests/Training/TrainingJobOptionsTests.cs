using Cl2.Models.Checkpoints;
using Cl2.Models.Workloads;
using Cl2.ServiceDefaults;
using Cl2.Training.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cl2.Training.Tests.Training;

/// <summary>The worker's job options as the host binds and validates them at start-up.</summary>
public sealed class TrainingJobOptionsTests
{
    private static TrainingJobOptions Bind(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(setting => KeyValuePair.Create<string, string?>($"{TrainingJobOptions.Section}:{setting.Key}", setting.Value)))
            .Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddValidatedOptions<TrainingJobOptions>(TrainingJobOptions.Section);
        return services.BuildServiceProvider().GetRequiredService<IOptions<TrainingJobOptions>>().Value;
    }

    [Fact]
    public void the_lease_is_renewed_every_third_of_it_unless_an_interval_shorter_than_the_lease_is_set()
    {
        Assert.Equal(TimeSpan.FromSeconds(100), Bind(("LeaseSeconds", "300")).ResolvedLeaseRenewalInterval);
        Assert.Equal(TimeSpan.FromSeconds(20), Bind(("LeaseSeconds", "60"), ("LeaseRenewalInterval", "00:00:20")).ResolvedLeaseRenewalInterval);
    }

    [Theory]
    [InlineData("00:01:00")]
    [InlineData("00:05:00")]
    [InlineData("00:00:00.050")]
    public void a_renewal_interval_not_shorter_than_the_lease_or_under_100_ms_refuses_to_start_and_says_the_range(string interval)
    {
        var refusal = Assert.Throws<OptionsValidationException>(() => Bind(("LeaseSeconds", "60"), ("LeaseRenewalInterval", interval)));
        Assert.Contains("Training:Jobs:LeaseRenewalInterval is 100 ms to less than LeaseSeconds (60 s)", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    public void a_max_jobs_below_one_refuses_to_start_and_says_the_range(string maxJobs)
    {
        var refusal = Assert.Throws<OptionsValidationException>(() => Bind(("MaxJobs", maxJobs)));
        Assert.Contains("Training:Jobs:MaxJobs is 1 to 1000000, or unset", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_worker_without_max_jobs_runs_until_it_is_stopped()
    {
        Assert.Null(Bind().MaxJobs);
        Assert.Equal(3, Bind(("MaxJobs", "3")).MaxJobs);
    }

    [Fact]
    public void a_worker_trains_the_workloads_reference_network_by_default()
    {
        var network = Bind().Network;
        Assert.Equal(ArchitectureSpec.SegResNetName, WorkloadRegistry.For(WorkloadTask.LiverCt).ArchitectureOf(network).Name);
        Assert.Equal(ArchitectureSpec.DenseNetName, WorkloadRegistry.For(WorkloadTask.HipXray).ArchitectureOf(network).Name);
    }

    [Theory]
    [InlineData("Small")]
    [InlineData("small")]
    public void network_small_makes_a_worker_train_the_workloads_small_network(string setting)
    {
        var liver = WorkloadRegistry.For(WorkloadTask.LiverCt);
        Assert.Equal(liver.SmallArchitecture, liver.ArchitectureOf(Bind(("Network", setting)).Network));
    }

    [Theory]
    [InlineData("huge")]
    [InlineData("7")]
    public void an_unknown_network_refuses_to_start_and_names_the_setting(string setting)
    {
        var refusal = Assert.ThrowsAny<Exception>(() => Bind(("Network", setting)));
        Assert.Contains("Training:Jobs:Network", refusal.Message, StringComparison.Ordinal);
    }
}
