namespace Cl2.Labeling.GraphQL;

/// <summary>
/// The HTTP endpoints beside GraphQL (the blob store, the DICOMweb archive) declare their roles the same way and are
/// checked by the same rule as <see cref="RoleValidationRule"/>: 401 when nobody signed in, 403 without one of the roles.
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
