using Cl2.Inference.Api;
using Cl2.Labeling.Client;
using Cl2.ServiceDefaults;
using Cl2.ServiceDefaults.Identity;
using Microsoft.Extensions.Options;

namespace Cl2.Inference.Forwarding;

public static class ForwardingServices
{
    /// <summary>The forwarder and its two HTTP clients (labeling's GraphQL API and its DICOMweb archive); after the listener,
    /// so that the store has replayed its journal when the forwarder first looks.</summary>
    public static IServiceCollection AddStudyForwarding(this IServiceCollection services)
    {
        services.AddValidatedOptions<ForwardingOptions>(ForwardingOptions.Section);
        services.AddSingleton<ForwardingLedger>();
        services.AddSingleton<ForwardingBacklog>();
        services.AddSingleton<StudyForwarder>();
        services.AddHostedService(provider => provider.GetRequiredService<StudyForwarder>());
        // Inference's own access token (Labeling:ClientId, client credentials) on both, and retries of what did not reach labeling (Labeling:Retry).
        services.AddHttpClient(StudyForwarder.GraphQLClient, (provider, http) => Configure(provider, http, "")).AddLabelingRetries().AddServiceCredentials();
        services.AddHttpClient(StudyForwarder.DicomWebClient, (provider, http) => Configure(provider, http, "dicomweb/")).AddLabelingRetries().AddServiceCredentials();
        services.AddHealthChecks().AddCheck<ForwardingBacklogCheck>("forwarding", tags: [ServiceDefaultsExtensions.ReadyTag]);
        return services;
    }

    /// <summary><c>/api/inference/forwarding</c>: what labeling does not have yet, and why (the studies paged, oldest first).</summary>
    public static RouteGroupBuilder MapForwardingStatus(this RouteGroupBuilder api)
    {
        const string Path = "/api/inference/forwarding";
        api.MapGet("/forwarding", (StudyForwarder forwarder, IServiceProvider provider, IOptions<InferenceApiOptions> options, int? offset, int? limit) =>
        {
            var (page, problem) = Page.From(offset, limit, options.Value.MaxPageSize);
            return page is null ? Page.Refused(Path, problem!) : Results.Json(forwarder.Status().ToResponse(LabelingRoot(provider), page, Path));
        });
        api.MapPost("/forwarding/{studyInstanceUid}/retry", (string studyInstanceUid, StudyForwarder forwarder) => forwarder.Retry(studyInstanceUid)
                ? Results.Json(new { studyInstanceUid, state = "due" })
                : Results.Problem($"Study {studyInstanceUid} is not refused by labeling: nothing to retry (GET {Path} lists the pending studies).",
                    statusCode: StatusCodes.Status404NotFound))
            .RequireRoles(Roles.Admin);
        return api;
    }

    private static Uri LabelingRoot(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<ForwardingOptions>>().Value.LabelingRoot(provider.GetRequiredService<IOptions<LabelingClientOptions>>().Value.BaseAddress);

    /// <summary>An HTTP client to labeling as inference: its root (plus <paramref name="path"/>) and inference's identity.</summary>
    internal static void Configure(IServiceProvider provider, HttpClient http, string path)
    {
        var settings = provider.GetRequiredService<IOptions<ForwardingOptions>>().Value;
        http.BaseAddress = new Uri(LabelingRoot(provider), path);
        http.Timeout = settings.RequestTimeout;
        // Read only by a labeling with the development identity headers switched on (a test's): who we are and the one role
        // recordStudyReceived needs (docs/security.md).
        new LabelingClientOptions { ServiceUser = settings.ServiceUser }.Identify(http);
    }
}
