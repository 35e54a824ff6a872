using System.ComponentModel.DataAnnotations;

namespace Cl2.Gateway;

/// <summary>The built web app the gateway serves (section <c>WebApp</c>); docs/web.md.</summary>
public sealed class WebAppOptions : IValidatableObject
{
    public const string Section = "WebApp";

    /// <summary>
    /// The folder <c>npm run build</c> wrote (<c>web/dist</c>, holding <c>index.html</c> and <c>assets/</c>). Empty: no web
    /// app; <c>/</c> is then the gateway's status page. <c>./cl2</c> sets it to the repository's <c>web/dist</c>.
    /// </summary>
    public string Root { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Root.Length > 0 && !File.Exists(Path.Combine(Root, "index.html")))
        {
            yield return new($"WebApp:Root '{Root}' holds no index.html; build the web app (cd web && npm ci && npm run build, " +
                "which ./cl2 up does) or leave WebApp:Root empty to serve no web app.");
        }
    }
}
