using Cl2.Dicom;
using Cl2.Labeling.Archive;
using Cl2.ServiceDefaults.Audit;

namespace Cl2.Labeling.Audit;

/// <summary>
/// Which DICOMweb requests the audit records, as what: QIDO-RS (a path ending in studies, series or instances) is a
/// Query with its query string; WADO-RS (everything else read) is DICOM Instances Accessed; STOW-RS is DICOM Instances
/// Transferred (create). Each names the study of its path, or of its <c>StudyInstanceUID</c> query key.
/// </summary>
public static class ArchiveAccess
{
    private static readonly string[] SearchSegments = ["studies", "series", "instances"];

    public static HttpAccess? Classify(HttpContext http)
    {
        if (!http.Request.Path.StartsWithSegments(ArchiveEndpoints.Path, out var rest))
        {
            return null;
        }
        var study = http.GetRouteValue("study") as string ?? http.Request.Query["StudyInstanceUID"].FirstOrDefault();
        List<AuditObject> objects = study is not null && DicomUid.IsValid(study) ? [AuditObjects.Study(study)] : [];
        if (HttpMethods.IsPost(http.Request.Method))
        {
            return new HttpAccess(AuditEvents.InstancesTransferred, AuditActions.Create, objects);
        }
        var last = (rest.Value ?? "").TrimEnd('/').Split('/')[^1];
        if (SearchSegments.Contains(last, StringComparer.Ordinal))
        {
            objects.Add(AuditObjects.Query(http.Request.Path.Value ?? "", http.Request.QueryString.Value ?? ""));
            return new HttpAccess(AuditEvents.Query, AuditActions.Execute, objects);
        }
        return new HttpAccess(AuditEvents.InstancesAccessed, AuditActions.Read, objects);
    }
}
