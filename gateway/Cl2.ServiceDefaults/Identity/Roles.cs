using System.Security.Claims;

namespace Cl2.ServiceDefaults.Identity;

/// <summary>
/// The roles an operation can ask for (claims of type <see cref="System.Security.Claims.ClaimTypes.Role"/>).
/// Every root field declares the roles it accepts with <c>AuthorizeWithRoles</c>; <see cref="Admin"/> may do anything.
/// </summary>
public static class Roles
{
    public const string Annotator = "annotator";
    public const string Radiologist = "radiologist";
    public const string MlEngineer = "ml-engineer";
    public const string Admin = "admin";
    /// <summary>Training and inference workers.</summary>
    public const string Service = "service";

    public static readonly IReadOnlyList<string> All = [Annotator, Radiologist, MlEngineer, Admin, Service];

    /// <summary>Reads anyone signed in may make.</summary>
    public static readonly string[] Anyone = [Annotator, Radiologist, MlEngineer, Service];

    /// <summary>Whether a signed-in caller holds one of <paramref name="roles"/>; an admin holds them all.</summary>
    public static bool Allow(ClaimsPrincipal user, IEnumerable<string> roles) => user.IsInRole(Admin) || roles.Any(user.IsInRole);
}
