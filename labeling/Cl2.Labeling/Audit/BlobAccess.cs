using Cl2.Labeling.Blobs;
using Cl2.ServiceDefaults.Audit;

namespace Cl2.Labeling.Audit;

/// <summary>
/// Blob store requests the audit records: label masks and classifications are patient data, so a read (GET, HEAD) is a
/// Patient Record read and an upload (POST, PUT) a Patient Record create, each naming the blob by its digest (the path's,
/// or for a POST the Location of the blob it created; a POST of bytes already stored answers without one and names none).
/// </summary>
public static class BlobAccess
{
    public const string RecordKind = "blob";

    public static HttpAccess? Classify(HttpContext http)
    {
        if (!http.Request.Path.StartsWithSegments(BlobEndpoints.Path))
        {
            return null;
        }
        var named = http.GetRouteValue("digest") as string ?? LastSegment(http.Response.Headers.Location.ToString());
        List<AuditObject> objects = BlobDigest.TryParse(named, out var digest) ? [AuditObjects.Record(RecordKind, $"{digest}")] : [];
        var upload = HttpMethods.IsPost(http.Request.Method) || HttpMethods.IsPut(http.Request.Method);
        return new HttpAccess(AuditEvents.PatientRecord, upload ? AuditActions.Create : AuditActions.Read, objects);
    }

    private static string? LastSegment(string location) => location.Length == 0 ? null : location[(location.LastIndexOf('/') + 1)..];
}
