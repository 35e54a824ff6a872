using System.Net.Http.Json;
using Cl2.ServiceDefaults.Audit;

namespace Cl2.Inference.Audit;

/// <summary>Inference holds no database: its audit batches go to labeling, which keeps the audit (<c>POST /audit/records</c>,
/// service role, one transaction per batch). While labeling is away the batch waits and is sent again.</summary>
public sealed class LabelingAuditSink(IHttpClientFactory clients) : IAuditSink
{
    public const string Client = "audit";

    public async Task WriteAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        using var response = await clients.CreateClient(Client).PostAsJsonAsync("audit/records", records, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"labeling answered {(int)response.StatusCode} to {records.Count} audit records: " +
                await response.Content.ReadAsStringAsync(cancellationToken));
        }
    }
}
