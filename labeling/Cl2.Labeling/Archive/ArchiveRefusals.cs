namespace Cl2.Labeling.Archive;

/// <summary>
/// Every DICOMweb request the archive refuses as the client's fault (a 4xx other than 404: a UID that breaks PS3.5, a NUL
/// in a QIDO value, a frame list too long, a STOW too large) is logged at Warning with the caller and the reason, as
/// GraphQL's refusals are, so a probe leaves a trace. A 404 is an ordinary miss and is not logged.
/// </summary>
public static partial class ArchiveRefusals
{
    public static async ValueTask<object?> LogAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        if (result is IStatusCodeHttpResult { StatusCode: >= 400 and < 500 and not StatusCodes.Status404NotFound and var status })
        {
            var http = context.HttpContext;
            Refused(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ArchiveRefusals)), status,
                http.User.Identity?.Name ?? "anonymous", http.Request.Method, ArchiveEndpoints.Printable(http.Request.Path.Value ?? "", 200),
                (result as IValueHttpResult)?.Value is Microsoft.AspNetCore.Mvc.ProblemDetails problem ? problem.Detail ?? "" : "");
        }
        return result;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "DICOMweb request refused ({Status}) for {User}: {Method} {Path}: {Reason}")]
    private static partial void Refused(ILogger logger, int status, string user, string method, string path, string reason);
}
