namespace Cl2.Labeling.Models;

/// <summary>
/// Why an ML engineer changed production by hand (a promotion or a rollback), as the timeline shows it beside the change.
/// Optional: blank means no reason. Bounded so that one history stays a small response.
/// </summary>
public static class ProductionChangeReason
{
    public const int MaxLength = 1000;

    /// <summary>The reason trimmed, null when blank; REASON_TOO_LONG (with the limit) when longer than <see cref="MaxLength"/>.</summary>
    public static string? Of(string? reason)
    {
        var text = reason?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (text.Length > MaxLength)
        {
            throw new DomainException(ErrorCodes.ReasonTooLong, $"reason is at most {MaxLength} characters; this one has {text.Length}.")
            {
                Details = new Dictionary<string, object?> { ["maxLength"] = MaxLength, ["length"] = text.Length },
            };
        }
        return text;
    }
}
