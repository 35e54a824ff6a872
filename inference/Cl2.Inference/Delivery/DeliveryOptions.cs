using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Cl2.Dicom;

namespace Cl2.Inference.Delivery;

/// <summary>Delivery of result objects (section <c>Inference:Delivery</c>); docs/configuration.md and docs/inference.md.</summary>
public sealed class DeliveryOptions : IValidatableObject
{
    public const string Section = "Inference:Delivery";

    /// <summary>Where every result goes; none: results are recorded but delivered nowhere.</summary>
    public List<DeliveryDestinationOptions> Destinations { get; set; } = [];

    /// <summary>After this many failed attempts in a row a delivery is dead-lettered: no longer tried until an admin asks
    /// (<c>retryDelivery</c>), which gives it this many attempts again.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>The wait after the first failure; it doubles with each further failure, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Each wait is shortened by a random share of up to this fraction, so that deliveries that failed together
    /// (a PACS restart) do not all come back in the same second.</summary>
    public double RetryJitter { get; set; } = 0.2;

    /// <summary>How often the outbox is looked at for deliveries that are due (a new one is sent at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often labeling is asked whether an admin retried a dead-lettered delivery (<c>retryDelivery</c>).</summary>
    public TimeSpan RetryRequestPollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time-out of one send (a whole association, or one STOW-RS request) and of one record to labeling.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Our AE title as the Storage SCU; empty: the listener's (<c>Inference:Listener:AeTitle</c>).</summary>
    public string CallingAeTitle { get; set; } = "";

    /// <summary>Once the outbox journal holds this many delivered deliveries, it is rewritten without them (their lines
    /// are history labeling keeps); pending and dead-lettered deliveries keep every line.</summary>
    public int CompactJournalAfter { get; set; } = 500;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxAttempts is < 1 or > 1000)
        {
            yield return new($"{Section}:MaxAttempts is {MaxAttempts}; it must be 1-1000.");
        }
        if (CompactJournalAfter is < 1 or > 1_000_000)
        {
            yield return new($"{Section}:CompactJournalAfter is {CompactJournalAfter}; it must be 1-1000000.");
        }
        foreach (var (name, value, least, most) in new[]
        {
            (nameof(FirstRetryDelay), FirstRetryDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)),
            (nameof(MaxRetryDelay), MaxRetryDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1)),
            (nameof(PollInterval), PollInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10)),
            (nameof(RetryRequestPollInterval), RetryRequestPollInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)),
            (nameof(SendTimeout), SendTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
        }.Where(setting => setting.Item2 < setting.Item3 || setting.Item2 > setting.Item4))
        {
            yield return new($"{Section}:{name} is {value}; it must be {least} to {most} (hh:mm:ss).");
        }
        if (MaxRetryDelay < FirstRetryDelay)
        {
            yield return new($"{Section}:MaxRetryDelay ({MaxRetryDelay}) must be at least FirstRetryDelay ({FirstRetryDelay}).");
        }
        if (!(RetryJitter is >= 0 and <= 1))
        {
            yield return new($"{Section}:RetryJitter is {RetryJitter}; it must be 0 to 1 (a fraction of each wait).");
        }
        if (CallingAeTitle.Length > 0 && !DeliveryDestinationOptions.IsAeTitle(CallingAeTitle))
        {
            yield return new($"{Section}:CallingAeTitle '{CallingAeTitle}' must be 1-16 printable ASCII characters without a backslash.");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Destinations.Count; i++)
        {
            var destination = Destinations[i];
            if (destination.Name.Length > 0 && !names.Add(destination.Name))
            {
                yield return new($"{Section}:Destinations:{i}:Name '{destination.Name}' is used twice; each destination has its own name.");
            }
            foreach (var problem in destination.Problems())
            {
                yield return new($"{Section}:Destinations:{i} ({(destination.Name.Length > 0 ? destination.Name : "unnamed")}): {problem}");
            }
        }
    }
}

public enum DeliveryKind
{
    /// <summary>C-STORE back to the AE that sent the study, at the host:port <c>Inference:Listener:MoveDestinations</c> names for it.</summary>
    SendingPacs,

    /// <summary>C-STORE to a configured AE (<c>Host</c>, <c>Port</c>, <c>CalledAeTitle</c>).</summary>
    DicomAe,

    /// <summary>STOW-RS to labeling's archive, so reviewers see the result.</summary>
    Archive,

    /// <summary>C-STORE to XNAT's DICOM receiver, routed to a project by Patient/Study Comments and/or by called AE title.</summary>
    Xnat,
}

/// <summary>Where XNAT reads the <c>Project: P Subject: S Session: E</c> routing text from.</summary>
public enum XnatCommentsAttribute
{
    /// <summary>No routing text: XNAT files by called AE title (<c>ProjectAeTitles</c>) or its own rules.</summary>
    None,

    /// <summary>Patient Comments (0010,4000).</summary>
    PatientComments,

    /// <summary>Study Comments (0032,4000).</summary>
    StudyComments,
}

/// <summary>One place results go (an item of <c>Inference:Delivery:Destinations</c>).</summary>
public sealed partial class DeliveryDestinationOptions
{
    /// <summary>The name deliveries are recorded under in labeling (e.g. "PACS", "XNAT-research").</summary>
    public string Name { get; set; } = "";

    public DeliveryKind Kind { get; set; }

    /// <summary>DicomAe and Xnat: the receiver's host and port.</summary>
    public string Host { get; set; } = "";

    public int Port { get; set; }

    /// <summary>DicomAe and Xnat: the called AE title (for Xnat, the one used for projects <c>ProjectAeTitles</c> does not name).
    /// SendingPacs: empty calls the sending AE by its own title.</summary>
    public string CalledAeTitle { get; set; } = "";

    /// <summary>Xnat: which attribute carries the routing text (None: routing by called AE title only).</summary>
    public XnatCommentsAttribute CommentsAttribute { get; set; } = XnatCommentsAttribute.PatientComments;

    /// <summary>Xnat: templates of the project, subject and session; <c>{Keyword}</c> is the value of that attribute of the
    /// result object (e.g. <c>{PatientID}</c>, <c>{AccessionNumber}</c>, <c>{StudyID}</c>), anything else is literal.</summary>
    public string ProjectTemplate { get; set; } = "";

    public string SubjectTemplate { get; set; } = "{PatientID}";

    public string SessionTemplate { get; set; } = "{AccessionNumber}";

    /// <summary>Xnat: project → the called AE title XNAT files that project's objects under.</summary>
    public Dictionary<string, string> ProjectAeTitles { get; set; } = [];

    internal IEnumerable<string> Problems()
    {
        if (!DestinationName().IsMatch(Name))
        {
            yield return "Name must be 1-64 letters, digits, '.', '_' or '-' (it names the delivery in labeling).";
        }
        if (Kind is DeliveryKind.DicomAe or DeliveryKind.Xnat)
        {
            if (Host.Trim().Length == 0 || Port is < 1 or > 65535)
            {
                yield return $"a {Kind} destination needs Host and Port (1-65535).";
            }
            if (!IsAeTitle(CalledAeTitle))
            {
                yield return "CalledAeTitle must be 1-16 printable ASCII characters without a backslash.";
            }
        }
        if (Kind == DeliveryKind.SendingPacs && CalledAeTitle.Length > 0 && !IsAeTitle(CalledAeTitle))
        {
            yield return "CalledAeTitle must be empty (the sending AE's own title) or 1-16 printable ASCII characters without a backslash.";
        }
        if (Kind != DeliveryKind.Xnat)
        {
            yield break;
        }
        if (CommentsAttribute == XnatCommentsAttribute.None && ProjectAeTitles.Count == 0)
        {
            yield return "an Xnat destination routes by CommentsAttribute, by ProjectAeTitles, or both; it has neither.";
        }
        if (ProjectTemplate.Trim().Length == 0)
        {
            yield return "ProjectTemplate names the XNAT project (a literal such as CL2RESEARCH, or e.g. {InstitutionName}).";
        }
        foreach (var (name, template) in new[] { (nameof(ProjectTemplate), ProjectTemplate), (nameof(SubjectTemplate), SubjectTemplate), (nameof(SessionTemplate), SessionTemplate) })
        {
            foreach (var keyword in XnatRouting.Keywords(template).Where(keyword => DicomDictionary.Find(keyword) is null))
            {
                yield return $"{name} names {{{keyword}}}, which is no attribute keyword of the DICOM dictionary (e.g. PatientID, AccessionNumber, StudyID).";
            }
        }
        foreach (var (project, title) in ProjectAeTitles.Where(pair => !IsAeTitle(pair.Value)))
        {
            yield return $"ProjectAeTitles:{project} '{title}' must be 1-16 printable ASCII characters without a backslash.";
        }
    }

    internal static bool IsAeTitle(string title) =>
        title.Trim().Length is >= 1 and <= 16 && title.All(c => c is >= ' ' and <= '~' and not '\\');

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex DestinationName();
}
