using Cl2.Inference.Forwarding;
using Cl2.Inference.Routing;
using Cl2.Inference.Serving;
using Cl2.Inference.Studies;
using Cl2.ServiceDefaults;
using Cl2.Labeling.Client;

namespace Cl2.Inference.Processing;

public static class ProcessingServices
{
    /// <summary>The routing table's cached copy and the processing loop; after the listener, so the store has replayed its journal.</summary>
    public static IServiceCollection AddStudyProcessing(this IServiceCollection services)
    {
        services.AddValidatedOptions<ProcessingOptions>(ProcessingOptions.Section);
        services.AddValidatedOptions<CompletenessOptions>(CompletenessOptions.Section);
        services.AddValidatedOptions<RoutingOptions>(RoutingOptions.Section);
        services.AddSingleton<RoutingRulesCache>();
        services.AddHostedService(provider => provider.GetRequiredService<RoutingRulesCache>());
        services.AddValidatedOptions<ServingOptions>(ServingOptions.Section);
        services.AddSingleton<ProductionVersions>();
        services.AddHostedService(provider => provider.GetRequiredService<ProductionVersions>());
        services.AddSingleton<ModelRunners>();
        services.AddSingleton<ShadowRuns>();
        services.AddValidatedOptions<ModelRunOptions>(ModelRunOptions.Section);
        services.AddSingleton<ModelQueue>();
        services.AddHealthChecks().AddCheck<ModelQueueCheck>("model-queue", tags: [ServiceDefaultsExtensions.ReadyTag]);
        // Checkpoints come from labeling's blob store with inference's own access token, as the forwarder's requests do.
        services.AddHttpClient(ModelRunners.BlobClientName, (provider, http) => ForwardingServices.Configure(provider, http, "")).AddLabelingRetries().AddServiceCredentials();
        services.AddSingleton<ProcessingLedger>();
        services.AddValidatedOptions<ReplicaOptions>(ReplicaOptions.Section);
        services.AddSingleton<StudyClaims>();
        services.AddSingleton<StudyClaimRenewals>();
        services.AddSingleton<StudyPartReports>();
        services.AddHostedService(provider => provider.GetRequiredService<StudyPartReports>());
        services.AddSingleton<StudyProcessor>();
        services.AddHostedService(provider => provider.GetRequiredService<StudyProcessor>());
        return services;
    }
}
