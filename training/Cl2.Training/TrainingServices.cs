using Cl2.Dicom.Web;
using Cl2.Labeling.Client;
using Cl2.Models;
using Cl2.Models.Datasets;
using Cl2.Models.Numerics;
using Cl2.ServiceDefaults;
using Cl2.Training.Datasets;
using Cl2.Training.Jobs;
using Cl2.Training.Scoring;
using Microsoft.Extensions.Options;

namespace Cl2.Training;

public static class TrainingServices
{
    public static HostApplicationBuilder AddTrainingServices(this HostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<TrainingOptions>(TrainingOptions.Section);
        builder.Services.AddValidatedOptions<TrainingJobOptions>(TrainingJobOptions.Section);
        builder.Services.AddValidatedOptions<TrainingCacheOptions>(TrainingCacheOptions.Section);
        builder.Services.AddValidatedOptions<FeedbackTrainingOptions>(FeedbackTrainingOptions.Section);
        builder.Services.AddSingleton(services =>
        {
            var cache = services.GetRequiredService<IOptions<TrainingCacheOptions>>().Value;
            return new CaseCache(cache.ResolvedDirectory, cache.MemoryBytes, cache.DiskBytes);
        });
        builder.Services.AddLabelingClient();
        builder.Services.AddHttpClient<BlobClient>((services, http) =>
        {
            var labeling = services.GetRequiredService<IOptions<LabelingClientOptions>>().Value;
            http.BaseAddress = labeling.BaseAddress;
            labeling.Identify(http);
        }).AddLabelingRetries().AddServiceCredentials();
        builder.Services.AddHttpClient<DicomWebClient>((services, http) =>
        {
            var labeling = services.GetRequiredService<IOptions<LabelingClientOptions>>().Value;
            http.BaseAddress = services.GetRequiredService<IOptions<TrainingJobOptions>>().Value.ArchiveAddress(labeling.BaseAddress);
            labeling.Identify(http);
            // A series of a few hundred slices comes as one multipart response.
            http.Timeout = TimeSpan.FromMinutes(10);
        }).AddLabelingRetries().AddServiceCredentials();
        builder.Services.AddSingleton<ArchiveDataset>();
        builder.Services.AddSingleton<TrainingJobRunner>();
        builder.Services.AddValidatedOptions<ScoringJobOptions>(ScoringJobOptions.Section);
        builder.Services.AddSingleton<IScoringMethod, EntropyScoring>();
        builder.Services.AddSingleton<IScoringMethod, McDropoutScoring>();
        builder.Services.AddSingleton<ScoringMethods>();
        builder.Services.AddSingleton<ScoringJobRunner>();
        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<TrainingOptions>>().Value;
            var device = ComputeDevice.Select(options.Device, options.CpuThreads,
                options.OneDnn is { } oneDnn ? OneDnnModes.Parse(oneDnn) : OneDnnModes.FromEnvironment());
            NumericsLog.Decided(services.GetRequiredService<ILogger<ComputeDevice>>(), device.Description, device.Numerics.Summary,
                device.Numerics.CheckMilliseconds);
            return device;
        });
        builder.Services.AddHealthChecks()
            .AddServiceDependency("labeling", services => services.GetRequiredService<IOptions<LabelingClientOptions>>().Value.BaseAddress)
            .AddCheck<ComputeDeviceHealthCheck>("compute-device", tags: [ServiceDefaultsExtensions.ReadyTag]);
        builder.Services.AddHealthStatusFile();
        builder.Services.AddHostedService<TrainingJobLoop>();
        return builder;
    }
}
