using Cl2.Inference.Ingest;
using Cl2.Inference.QueryRetrieve;
using Cl2.ServiceDefaults;

namespace Cl2.Inference.Listener;

public static class ListenerServices
{
    /// <summary>The DICOM listener and its durable store; the store is registered first so it replays before we listen.</summary>
    public static IServiceCollection AddDicomListener(this IServiceCollection services)
    {
        services.AddValidatedOptions<ListenerOptions>(ListenerOptions.Section);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<InstanceStore>();
        services.AddHostedService(provider => provider.GetRequiredService<InstanceStore>());
        services.AddSingleton<ListenerMemoryBudget>();
        services.AddSingleton<StoreScp>();
        services.AddSingleton<FindScp>();
        services.AddSingleton<RetrieveScp>();
        services.AddSingleton<DicomListener>();
        services.AddHostedService(provider => provider.GetRequiredService<DicomListener>());
        return services;
    }

    /// <summary><c>/api/inference/studies</c>: the StudyReceived facts, oldest first, with what each study holds now.</summary>
    public static RouteGroupBuilder MapReceivedStudies(this RouteGroupBuilder api)
    {
        api.MapGet("/studies", (InstanceStore store) =>
        {
            var instances = store.LatestVersions().GroupBy(instance => instance.StudyInstanceUid).ToDictionary(group => group.Key, group => group.ToList());
            return Results.Json(store.Studies().Select(study => new
            {
                study.StudyInstanceUid,
                study.PatientId,
                study.AccessionNumber,
                study.CallingAeTitle,
                study.ReceivedAt,
                Series = instances.GetValueOrDefault(study.StudyInstanceUid, []).Select(i => i.Attribute("SeriesInstanceUID")).Distinct().Count(),
                Instances = instances.GetValueOrDefault(study.StudyInstanceUid, []).Count,
            }));
        });
        return api;
    }
}
