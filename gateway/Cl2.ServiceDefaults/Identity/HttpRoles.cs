using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Cl2.ServiceDefaults.Identity;

/// <summary>
/// HTTP endpoints (labeling's blob store and DICOMweb archive, the inference API) declare their roles the same way as
/// labeling's GraphQL fields and are checked by the same rule (<see cref="Roles.Allow"/>): 401 when nobody signed in,
/// 403 without one of the roles.
/// </summary>
public static class HttpRoles
{
    public static TBuilder RequireRoles<TBuilder>(this TBuilder builder, params string[] roles) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var user = context.HttpContext.User;
            var request = $"{context.HttpContext.Request.Method} {context.HttpContext.Request.Path}";
            if (user.Identity?.IsAuthenticated != true)
            {
                return Results.Problem($"{request} needs a signed-in caller with one of the roles {string.Join(", ", roles)}.",
                    statusCode: StatusCodes.Status401Unauthorized);
            }
            return Roles.Allow(user, roles)
                ? await next(context)
                : Results.Problem($"{request} needs one of the roles {string.Join(", ", roles)}; {user.Identity.Name} has none of them.",
                    statusCode: StatusCodes.Status403Forbidden);
        });
}
