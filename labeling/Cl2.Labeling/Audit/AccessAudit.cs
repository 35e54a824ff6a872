using Cl2.Labeling.Archive;
using Cl2.ServiceDefaults.Audit;
using GraphQL.DI;
using Marten;
using Microsoft.Extensions.Options;

namespace Cl2.Labeling.Audit;

/// <summary>
/// The access audit in labeling: DICOMweb, blob store and GraphQL accesses recorded here, inference's (its API, C-FIND/C-GET/C-MOVE,
/// refused associations, peer changes) posted to <c>POST /audit/records</c>; all kept in <see cref="AuditStore"/>, purged
/// past <see cref="AuditOptions.RetentionDays"/>, read by <c>accessAudit</c>. docs/security.md.
/// </summary>
public static class AccessAudit
{
    public const string RecordsPath = "/audit/records";

    public static WebApplicationBuilder AddAccessAudit(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuditTrail<AuditStore>();
        // After the trail: hosted services stop in reverse order, so what subscriptions pushed is recorded before the trail drains.
        builder.Services.AddSingleton<PushedEventsAudit>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<PushedEventsAudit>());
        builder.Services.ConfigureMarten(AuditStore.Configure);
        builder.Services.AddHostedService<AuditRetention>();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<IConfigureExecution, GraphQLAccess>();
        return builder;
    }

    /// <summary>After the caller and its forwarded address are known (UseCallerIdentity, the archive's forwarded headers).</summary>
    public static WebApplication UseAccessAudit(this WebApplication app)
    {
        app.UseHttpAccessAudit("labeling", http => ArchiveAccess.Classify(http) ?? BlobAccess.Classify(http));
        app.MapPost(RecordsPath, async (AuditRecord[] records, IAuditSink store, IOptions<AuditOptions> options, CancellationToken cancellationToken) =>
        {
            if (records.Length > options.Value.MaxBatch)
            {
                return Results.Problem($"{records.Length} audit records in one request; at most {options.Value.MaxBatch} (Audit:MaxBatch).",
                    statusCode: StatusCodes.Status413PayloadTooLarge);
            }
            await store.WriteAsync(records, cancellationToken);
            return Results.NoContent();
        }).RequireRoles(Roles.Service);
        return app;
    }
}
