using System.ComponentModel.DataAnnotations;

namespace Cl2.Labeling.Client;

/// <summary>Where training and inference find the labeling API (directly, or through the gateway), and who they are there.</summary>
public sealed class LabelingClientOptions
{
    public const string Section = "Labeling";

    /// <summary>Labeling's development identity headers, read only where a test or a developer switched them on (docs/security.md).</summary>
    public const string UserHeader = "X-Cl2-User";

    public const string RolesHeader = "X-Cl2-Roles";

    /// <summary>The role workers hold: claim, report and complete jobs, register versions, read data.</summary>
    public const string ServiceRole = "service";

    [Required(ErrorMessage = "Labeling:BaseAddress is required, e.g. http://127.0.0.1:8081/")]
    public Uri BaseAddress { get; set; } = new("http://127.0.0.1:8081/");

    /// <summary>
    /// The name this service calls labeling as in the development identity headers, with the <see cref="ServiceRole"/> role;
    /// a labeling that reads no such headers (the default) ignores it. Empty sends no headers.
    /// </summary>
    public string ServiceUser { get; set; } = "";

    /// <summary>This service's client at the OpenID Connect provider; its access token (client credentials) goes on every
    /// request to labeling. Empty: no token is sent.</summary>
    public string ClientId { get; set; } = "";

    public string ClientSecret { get; set; } = "";

    /// <summary>The provider's issuer URL; empty: <c>Identity:Authority</c>.</summary>
    public string Authority { get; set; } = "";

    /// <summary>The scope asked for with the client credentials (it names the audience labeling checks).</summary>
    public string Scope { get; set; } = "cl2";

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
