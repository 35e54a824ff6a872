using System.Text;
using System.Text.RegularExpressions;
using Cl2.Dicom;

namespace Cl2.Inference.Delivery;

/// <summary>Where XNAT is to file an object: its project, subject and session, the routing text, and the AE title to call.</summary>
public sealed record XnatRoute(string Project, string Subject, string Session, string CalledAeTitle)
{
    /// <summary>XNAT's DICOM receiver reads this convention from Patient Comments or Study Comments.</summary>
    public string Text => $"Project: {Project} Subject: {Subject} Session: {Session}";
}

/// <summary>An object cannot be routed to XNAT as the destination is configured (a template names an attribute it lacks).</summary>
public sealed class XnatRoutingException(string message) : Exception(message);

/// <summary>
/// XNAT's DICOM receiver files an incoming object under the project, subject and session that <c>Project: P Subject: S
/// Session: E</c> in Patient Comments (0010,4000) or Study Comments (0032,4000) names, or under the project its called AE
/// title is mapped to. Both come from the destination's templates, filled from the object's own attributes.
/// </summary>
public static partial class XnatRouting
{
    /// <summary>The attribute keywords a template names (<c>{PatientID}</c> → PatientID).</summary>
    public static IEnumerable<string> Keywords(string template) => Placeholder().Matches(template).Select(match => match.Groups[1].Value);

    public static XnatRoute Route(DeliveryDestinationOptions destination, DicomDataset dataset)
    {
        var project = Expand(destination, nameof(destination.ProjectTemplate), destination.ProjectTemplate, dataset);
        return new XnatRoute(project,
            Expand(destination, nameof(destination.SubjectTemplate), destination.SubjectTemplate, dataset),
            Expand(destination, nameof(destination.SessionTemplate), destination.SessionTemplate, dataset),
            destination.ProjectAeTitles.TryGetValue(project, out var title) ? title.Trim() : destination.CalledAeTitle.Trim());
    }

    /// <summary>The object as it goes to this destination: the routing text set in the configured comments attribute (the
    /// SOP Instance UID and everything else as it was), and the AE title to call.</summary>
    public static (byte[] Part10, string CalledAeTitle) Apply(DeliveryDestinationOptions destination, byte[] part10)
    {
        var file = DicomFile.Open(new MemoryStream(part10, writable: false));
        var route = Route(destination, file.Dataset);
        if (destination.CommentsAttribute == XnatCommentsAttribute.None)
        {
            return (part10, route.CalledAeTitle);
        }
        file.Dataset.SetString(destination.CommentsAttribute == XnatCommentsAttribute.PatientComments ? DicomTags.PatientComments : DicomTags.StudyComments,
            route.Text);
        using var output = new MemoryStream();
        file.Save(output);
        return (output.ToArray(), route.CalledAeTitle);
    }

    private static string Expand(DeliveryDestinationOptions destination, string setting, string template, DicomDataset dataset)
    {
        var text = Placeholder().Replace(template, match =>
        {
            var keyword = match.Groups[1].Value;
            var entry = DicomDictionary.Find(keyword)
                ?? throw new XnatRoutingException($"{destination.Name}: {setting} names {{{keyword}}}, which is no DICOM attribute keyword.");
            var value = dataset.GetStringOrDefault(entry.Tag)?.Trim();
            return string.IsNullOrEmpty(value)
                ? throw new XnatRoutingException($"{destination.Name}: the object has no {keyword} for {setting} '{template}'; " +
                    "XNAT would file it under an empty name. Give the destination a template the results carry (e.g. {StudyID} for the session).")
                : value;
        });
        // XNAT's identifiers are letters, digits, '_' and '-'; anything else (a space would end the value) becomes '_'.
        var identifier = new StringBuilder(text.Length);
        foreach (var c in text.Trim())
        {
            identifier.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }
        return identifier.Length > 0 ? identifier.ToString()
            : throw new XnatRoutingException($"{destination.Name}: {setting} '{template}' gives an empty name.");
    }

    [GeneratedRegex(@"\{([A-Za-z0-9]+)\}")]
    private static partial Regex Placeholder();
}
