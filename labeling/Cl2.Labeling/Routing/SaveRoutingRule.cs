using System.Text.RegularExpressions;
using Cl2.Labeling.Cases;
using Cl2.Labeling.Database;
using Cl2.Labeling.GraphQL;
using Cl2.Labeling.Models;
using GraphQL;
using GraphQL.Types;
using Marten;

namespace Cl2.Labeling.Routing;

/// <summary>
/// Adds a rule (<see cref="RuleId"/> null) or changes one, decided on the table version the caller saw
/// (<see cref="ExpectedVersion"/>). The rule selects a workload and, unless it is <c>pass-through</c>, a model by name
/// whose task is that workload.
/// </summary>
public sealed record SaveRoutingRule(
    Guid? RuleId,
    string Name,
    int Priority,
    string Workload,
    string? ModelName,
    string? CallingAeTitle,
    string? CalledAeTitle,
    string? Modality,
    string? BodyPart,
    string? SopClassUid,
    string? SeriesDescription,
    int? MinInstances,
    int? MaxInstances,
    int ExpectedVersion)
{
    public const int MaxNameLength = 100;
    public const int MaxPatternLength = 500;
    public const int MaxPriority = 10_000;

    /// <summary>How long the pattern may take to match the probe text on save; inference matches with its own limit.</summary>
    public static readonly TimeSpan PatternCheckTimeout = TimeSpan.FromMilliseconds(100);

    /// <param name="model">The model named by <see cref="ModelName"/>, or null when there is none of that name.</param>
    public static RoutingRuleSaved Decide(RoutingTable? table, Model? model, SaveRoutingRule command, Guid newRuleId, string by, DateTimeOffset now)
    {
        RoutingConcurrency.Require(table, command.ExpectedVersion);
        var existing = command.RuleId is { } id
            ? table?.Find(id) ?? throw DomainException.NotFound(ErrorCodes.RoutingRuleNotFound, "Routing rule", id)
            : null;
        var name = command.Name.Trim();
        if (name.Length is 0 or > MaxNameLength)
        {
            throw DomainException.Invalid($"name is 1 to {MaxNameLength} characters, e.g. \"brain MR from MRI1\".");
        }
        if (table?.Rules.FirstOrDefault(rule => rule.Name == name && rule.Id != existing?.Id) is { } sameName)
        {
            throw DomainException.Invalid($"Another rule ({sameName.Id}) is named '{name}': give this one its own name.");
        }
        if (command.Priority is < 0 or > MaxPriority)
        {
            throw DomainException.Invalid($"priority is 0 to {MaxPriority}; rules are tried lowest first.");
        }
        var workload = command.Workload.Trim();
        if (!RoutingTable.Workloads.Contains(workload))
        {
            throw DomainException.Invalid($"'{command.Workload}' is not a workload: one of {string.Join(", ", RoutingTable.Workloads)}.");
        }
        var modelName = Optional(command.ModelName);
        if (workload == RoutingTable.PassThrough && modelName is not null)
        {
            throw DomainException.Invalid("A pass-through rule runs no model: leave modelName out.");
        }
        if (workload != RoutingTable.PassThrough)
        {
            if (modelName is null)
            {
                throw DomainException.Invalid($"A {workload} rule names the model whose production version serves it (modelName).");
            }
            if (model is null)
            {
                throw new DomainException(ErrorCodes.ModelNotFound, $"No model is named '{modelName}': register it first (registerModel), or name another.");
            }
            if (model.Task != workload)
            {
                throw DomainException.Invalid($"Model '{modelName}' is a {model.Task} model; a {workload} rule needs a {workload} model.");
            }
        }
        var match = new RoutingMatch(AeTitle(command.CallingAeTitle, "callingAeTitle"), AeTitle(command.CalledAeTitle, "calledAeTitle"),
            CodeString(command.Modality, "modality"), CodeString(command.BodyPart, "bodyPart"), SopClass(command.SopClassUid),
            Pattern(command.SeriesDescription), command.MinInstances, command.MaxInstances);
        if (match.MinInstances is < 1 || match.MaxInstances is < 1 || match.MinInstances > match.MaxInstances)
        {
            throw DomainException.Invalid("minInstances and maxInstances are 1 or more, and minInstances is at most maxInstances.");
        }
        return new RoutingRuleSaved(existing?.Id ?? newRuleId, name, command.Priority, match, workload, modelName, (existing?.RuleVersion ?? 0) + 1, by, now);
    }

    private static string? Optional(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    // PS3.5 6.2: an AE title is 1 to 16 characters, leading and trailing spaces not significant.
    private static string? AeTitle(string? value, string field) => Optional(value) is { } title && title.Length > 16
        ? throw DomainException.Invalid($"{field} is an AE title: at most 16 characters.")
        : Optional(value);

    // PS3.5 6.2 CS: upper-case letters, digits, space and underscore, at most 16 characters.
    private static string? CodeString(string? value, string field) => Optional(value) is { } code && (code.Length > 16 || !code.All(c => c is >= 'A' and <= 'Z' or >= '0' and <= '9' or ' ' or '_'))
        ? throw DomainException.Invalid($"{field} '{code}' is a DICOM code string (CS): upper-case letters, digits, space or _, at most 16 characters (e.g. MR, HEAD).")
        : Optional(value);

    private static string? SopClass(string? value) => Optional(value) is { } uid && !AddCases.IsUid(uid)
        ? throw DomainException.Invalid($"sopClassUid '{uid}' is not a DICOM UID (e.g. 1.2.840.10008.5.1.4.1.1.4 for MR Image Storage).")
        : Optional(value);

    /// <summary>A series description pattern must compile, and must not take long on a plain probe (catastrophic backtracking
    /// shows up on text like this); inference matches it with a timeout too.</summary>
    private static string? Pattern(string? value)
    {
        if (Optional(value) is not { } pattern)
        {
            return null;
        }
        if (pattern.Length > MaxPatternLength)
        {
            throw new DomainException(ErrorCodes.RoutingPatternInvalid, $"seriesDescription is a regular expression of at most {MaxPatternLength} characters.");
        }
        try
        {
            var regex = new Regex(pattern, RegexOptions.CultureInvariant, PatternCheckTimeout);
            regex.IsMatch(new string('a', 64) + "!");
            return pattern;
        }
        catch (ArgumentException invalid)
        {
            throw new DomainException(ErrorCodes.RoutingPatternInvalid, $"seriesDescription '{pattern}' is not a .NET regular expression: {invalid.Message}");
        }
        catch (RegexMatchTimeoutException)
        {
            throw new DomainException(ErrorCodes.RoutingPatternInvalid,
                $"seriesDescription '{pattern}' took over {PatternCheckTimeout.TotalMilliseconds} ms on a 65-character text (nested repetition?): simplify it.");
        }
    }

    public static void AddField(ObjectGraphType mutation) => mutation
        .Field<NonNullGraphType<RoutingTableGraphType>, RoutingTable>("saveRoutingRule")
        .Description("Adds (ruleId null) or changes a routing rule, decided on the table version the caller saw (ROUTING_TABLE_CONFLICT when it moved).")
        .AuthorizeWithRoles(Roles.MlEngineer)
        .Argument<NonNullGraphType<SaveRoutingRuleInputType>>("input")
        .ResolveAsync(async context =>
        {
            var command = context.GetArgument<SaveRoutingRule>("input");
            var cancellationToken = context.CancellationToken;
            Model? model = null;
            if (Optional(command.ModelName) is { } modelName)
            {
                await using var query = context.Store().QuerySession();
                model = await query.Query<Model>().FirstOrDefaultAsync(candidate => candidate.Name == modelName, cancellationToken);
            }
            var (newRuleId, by, now) = (Guid.CreateVersion7(), context.Actor(), context.Now());
            return (await StreamDecision.DecideAsync(context.Store(), RoutingTable.StreamId, RoutingConcurrency.Expected(command.ExpectedVersion),
                table => [Decide(table, model, command, newRuleId, by, now)], cancellationToken))!;
        });
}

public sealed class SaveRoutingRuleInputType : AutoRegisteringInputObjectGraphType<SaveRoutingRule>
{
    public SaveRoutingRuleInputType() => Name = "SaveRoutingRuleInput";
}
