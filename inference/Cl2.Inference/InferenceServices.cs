using Cl2.Inference.Api;
using Cl2.Inference.Audit;
using Cl2.Inference.Delivery;
using Cl2.Inference.Forwarding;
using Cl2.Inference.Listener;
using Cl2.Inference.Processing;
using Cl2.Labeling.Client;
using Cl2.ServiceDefaults;
using Cl2.ServiceDefaults.Identity;
using Microsoft.Extensions.Options;

namespace Cl2.Inference;

public static class InferenceServices
{
    public static WebApplicationBuilder AddInferenceServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<InferenceOptions>(InferenceOptions.Section);
        builder.Services.AddValidatedOptions<InferenceApiOptions>(InferenceApiOptions.Section);
        builder.AddCallerIdentity();
        builder.Services.AddInferenceAudit();
        builder.Services.AddDicomListener();
        builder.Services.AddStudyForwarding();
        builder.Services.AddResultDelivery();
        builder.Services.AddLabelingClient();
        builder.Services.AddStudyProcessing();
        builder.Services.AddHealthChecks()
            .AddCheck<StorageWritableCheck>("storage", tags: [ServiceDefaultsExtensions.ReadyTag])
            .AddServiceDependency("labeling", services => services.GetRequiredService<IOptions<LabelingClientOptions>>().Value.BaseAddress);
        return builder;
    }

    public static WebApplication MapInferenceEndpoints(this WebApplication app)
    {
        app.UseCallerIdentity();
        app.UseInferenceAudit();
        // Patient IDs, accession numbers and calling AEs: only for the platform's services and admins, whatever signed the
        // caller in (nobody is signed in without an identity source: every call is then 401).
        var api = app.MapGroup("/api/inference").RequireRoles(Roles.Service);
        api.MapGet("/status", (HttpContext http, IOptions<InferenceOptions> options) => Results.Json(new
        {
            service = "cl2 inference",
            // Where patient data lies on disk is for an admin to know.
            storage = http.User.IsInRole(Roles.Admin) ? Path.GetFullPath(options.Value.StoragePath) : null,
        }));
        api.MapReceivedStudies();
        api.MapForwardingStatus();
        api.MapDeliveryStatus();
        return app;
    }
}
