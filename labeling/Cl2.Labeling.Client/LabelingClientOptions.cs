using System.ComponentModel.DataAnnotations;

namespace Cl2.Labeling.Client;

/// <summary>Where training and inference find the labeling API (directly, or through the gateway), and who they are there.</summary>
public sealed class LabelingClientOptions
{
    public const string Section = "Labeling";

    /// <summary>Labeling's development identity headers (docs/configuration.md); sign-in with service credentials replaces them.</summary>
    public const string UserHeader = "X-Cl2-User";

    public const string RolesHeader = "X-Cl2-Roles";

    /// <summary>The role workers hold: claim, report and complete jobs, register versions, read data.</summary>
    public const string ServiceRole = "service";

    [Required(ErrorMessage = "Labeling:BaseAddress is required, e.g. http://127.0.0.1:8081/")]
    public Uri BaseAddress { get; set; } = new("http://127.0.0.1:8081/");

    /// <summary>
    /// The name this service calls labeling as, with the <see cref="ServiceRole"/> role, so that what it does (claims,
    /// reports, registered versions) is attributed to it; empty sends no identity.
    /// </summary>
    public string ServiceUser { get; set; } = "";

    /// <summary>Names the caller on every request of <paramref name="http"/> when <see cref="ServiceUser"/> is set.</summary>
    public void Identify(HttpClient http)
    {
        if (ServiceUser.Trim() is { Length: > 0 } user)
        {
            http.DefaultRequestHeaders.Add(UserHeader, user);
            http.DefaultRequestHeaders.Add(RolesHeader, ServiceRole);
        }
    }
}
