using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Cl2.ServiceDefaults.Audit;

/// <summary>What an audited HTTP request was: its event, action and the objects it names.</summary>
public sealed record HttpAccess(AuditCode EventId, string Action, IReadOnlyList<AuditObject> Objects);

/// <summary>
/// Records the HTTP requests <c>classify</c> picks (reads of patient data, changes) with their outcome, refused ones
/// (401, 403) included. After the caller is known and forwarded addresses are applied, so the record names the user and
/// the address the request came from rather than the gateway's.
/// </summary>
public static class HttpAccessAudit
{
    public static WebApplication UseHttpAccessAudit(this WebApplication app, string service, Func<HttpContext, HttpAccess?> classify)
    {
        var trail = app.Services.GetRequiredService<AuditTrail>();
        if (!trail.Enabled)
        {
            return app;
        }
        app.Use(async (http, next) =>
        {
            var status = StatusCodes.Status500InternalServerError;
            try
            {
                await next(http);
                status = http.Response.StatusCode;
            }
            finally
            {
                if (classify(http) is { } access)
                {
                    await trail.RecordAsync(Record(http, service, access, status));
                }
            }
        });
        return app;
    }

    private static AuditRecord Record(HttpContext http, string service, HttpAccess access, int status) =>
        Requestor.Of(http.User, http.Connection.RemoteIpAddress?.ToString(), service) with
        {
            EventId = access.EventId,
            Action = access.Action,
            Outcome = AuditOutcomes.FromHttpStatus(status),
            OutcomeDescription = $"HTTP {status}",
            Operation = $"{http.Request.Method} {http.Request.Path}",
            Objects = access.Objects,
            StudyInstanceUids = [.. access.Objects.Where(o => o.IdType == AuditObjects.StudyInstanceUid).Select(o => o.Id).Distinct()],
        };
}

/// <summary>The requestor and the answering service as active participants, the rest of a record to be filled in.</summary>
public static class Requestor
{
    public const string Anonymous = "anonymous";

    public static string Name(ClaimsPrincipal? user) => user?.Identity is { IsAuthenticated: true } identity
        ? identity.Name ?? user.FindFirst("sub")?.Value ?? Anonymous
        : Anonymous;

    /// <summary>A record of <paramref name="user"/> (or of <paramref name="userId"/>, a DICOM peer, say) at <paramref name="address"/>
    /// asking <paramref name="service"/>, now; its event, action, outcome and operation still to be set.</summary>
    public static AuditRecord Of(ClaimsPrincipal? user, string? address, string service, string? alternativeUserId = null, string? userId = null)
    {
        var name = userId ?? Name(user);
        var roles = user?.Identity?.IsAuthenticated == true
            ? user.Claims.Where(claim => claim.Type == ClaimTypes.Role || claim.Type == (user.Identity as ClaimsIdentity)?.RoleClaimType)
                .Select(claim => claim.Value).Distinct().ToList()
            : [];
        return new AuditRecord
        {
            At = DateTimeOffset.UtcNow,
            EventId = AuditEvents.Query,
            Action = AuditActions.Read,
            Outcome = AuditOutcomes.Success,
            Service = service,
            Operation = "",
            UserId = name,
            SourceAddress = address ?? "",
            Participants =
            [
                new AuditParticipant(name, alternativeUserId, true, roles, address ?? "", 2),
                new AuditParticipant($"cl2-{service}", null, false, [], Environment.MachineName, 1),
            ],
        };
    }
}
