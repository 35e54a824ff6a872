using Cl2.Inference.Forwarding;
using Cl2.Labeling.Client;
using Cl2.ServiceDefaults.Audit;

namespace Cl2.Inference.Audit;

/// <summary>Inference's share of the access audit: its API (patient IDs, accession numbers, calling AEs) and its DICOM
/// listener, written through the shared <see cref="AuditTrail"/> to labeling.</summary>
public static class InferenceAudit
{
    public static IServiceCollection AddInferenceAudit(this IServiceCollection services)
    {
        services.AddAuditTrail<LabelingAuditSink>();
        services.AddHttpClient(LabelingAuditSink.Client, (provider, http) => ForwardingServices.Configure(provider, http, "")).AddLabelingRetries().AddServiceCredentials();
        return services;
    }

    /// <summary>Every call of <c>/api/inference/**</c>: a Query of what the listener received (a retry, which changes a study's
    /// state, an Update), refused ones too.</summary>
    public static WebApplication UseInferenceAudit(this WebApplication app) => app.UseHttpAccessAudit(DicomAccess.Service, http =>
    {
        if (!http.Request.Path.StartsWithSegments("/api/inference"))
        {
            return null;
        }
        List<AuditObject> objects = http.GetRouteValue("studyInstanceUid") is string study ? [AuditObjects.Study(study)] : [];
        return HttpMethods.IsGet(http.Request.Method)
            ? new HttpAccess(AuditEvents.Query, AuditActions.Execute, [.. objects, AuditObjects.Query(http.Request.Path.Value ?? "", http.Request.QueryString.Value ?? "")])
            : new HttpAccess(AuditEvents.PatientRecord, AuditActions.Update, objects);
    });
}
