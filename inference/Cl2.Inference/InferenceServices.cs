using Cl2.Inference.Forwarding;
using Cl2.Inference.Listener;
using Cl2.Labeling.Client;
using Cl2.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Cl2.Inference;

public static class InferenceServices
{
    public static WebApplicationBuilder AddInferenceServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<InferenceOptions>(InferenceOptions.Section);
        builder.Services.AddDicomListener();
        builder.Services.AddStudyForwarding();
        builder.Services.AddLabelingClient();
        builder.Services.AddHealthChecks()
            .AddCheck<StorageWritableCheck>("storage", tags: [ServiceDefaultsExtensions.ReadyTag])
            .AddServiceDependency("labeling", services => services.GetRequiredService<IOptions<LabelingClientOptions>>().Value.BaseAddress);
        return builder;
    }

    public static WebApplication MapInferenceEndpoints(this WebApplication app)
    {
        var api = app.MapGroup("/api/inference");
        api.MapGet("/status", (IOptions<InferenceOptions> options) => Results.Json(new
        {
            service = "cl2 inference",
            storage = Path.GetFullPath(options.Value.StoragePath),
        }));
        api.MapReceivedStudies();
        api.MapForwardingStatus();
        return app;
    }
}
