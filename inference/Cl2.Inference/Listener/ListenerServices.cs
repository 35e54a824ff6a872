using Cl2.Inference.Api;
using Cl2.Inference.Ingest;
using Cl2.Inference.QueryRetrieve;
using Cl2.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Listener;

public static class ListenerServices
{
    /// <summary>The DICOM listener and its durable store; the store is registered first so it replays before we listen.</summary>
    public static IServiceCollection AddDicomListener(this IServiceCollection services)
    {
        services.AddValidatedOptions<ListenerOptions>(ListenerOptions.Section);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<InstanceStore>();
        services.AddSingleton<ArrivingStudies>();
        services.AddHostedService(provider => provider.GetRequiredService<InstanceStore>());
        services.AddSingleton<ListenerMemoryBudget>();
        services.AddSingleton<StoreScp>();
        services.AddSingleton<FindScp>();
        services.AddSingleton<RetrieveScp>();
        services.AddSingleton<DicomListener>();
        services.AddHostedService(provider => provider.GetRequiredService<DicomListener>());
        return services;
    }

    /// <summary><c>/api/inference/studies</c>: the StudyReceived facts, oldest first and paged, with what each study holds now.</summary>
    public static RouteGroupBuilder MapReceivedStudies(this RouteGroupBuilder api)
    {
        const string Path = "/api/inference/studies";
        api.MapGet("/studies", (InstanceStore store, IOptions<InferenceApiOptions> options, int? offset, int? limit) =>
        {
            var (page, problem) = Page.From(offset, limit, options.Value.MaxPageSize);
            if (page is null)
            {
                return Page.Refused(Path, problem!);
            }
            var all = store.Studies();
            var studies = page.Slice(all);
            var instances = studies.ToDictionary(study => study.StudyInstanceUid, study => store.LatestVersionsOf(study.StudyInstanceUid));
            return Results.Json(page.Answer(studies.Select(study => new
            {
                study.StudyInstanceUid,
                study.PatientId,
                study.AccessionNumber,
                study.CallingAeTitle,
                study.ReceivedAt,
                Series = instances[study.StudyInstanceUid].Select(i => i.Attribute("SeriesInstanceUID")).Distinct().Count(),
                Instances = instances[study.StudyInstanceUid].Count,
            }), all.Count, Path));
        });
        return api;
    }
}
