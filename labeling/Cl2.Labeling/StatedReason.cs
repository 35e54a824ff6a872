namespace Cl2.Labeling;

/// <summary>
/// Why a person changed something by hand — a promotion or a rollback (the production timeline shows it beside the
/// change), a cancelled training job. Optional: blank means no reason. Bounded so that one history stays a small response;
/// every change with a reason refuses a longer one the same way.
/// </summary>
public static class StatedReason
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
