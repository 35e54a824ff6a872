namespace Cl2.Dicom.Deidentification;

/// <summary>How a research dataset is de-identified: its secret (the key of every pseudonym) and the profile options.</summary>
public sealed record DeidentificationSettings(PseudonymKey Key, IReadOnlySet<ConfidentialityOption> Options)
{
    public DeidentificationSettings(PseudonymKey key)
        : this(key, new HashSet<ConfidentialityOption>())
    {
    }

    /// <summary>Throws with what to change when an option is not implemented or two options contradict each other.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Key);
        ArgumentNullException.ThrowIfNull(Options);
        var unsupported = Options.Where(o => !DeidentificationMethodCode.Of(o).IsSupported).ToArray();
        if (unsupported.Length > 0)
        {
            var supported = Enum.GetValues<ConfidentialityOption>().Where(o => DeidentificationMethodCode.Of(o).IsSupported);
            throw new NotSupportedException(
                $"not implemented: {string.Join(", ", unsupported)}; leave them out (supported: {string.Join(", ", supported)})");
        }
        if (Options.Contains(ConfidentialityOption.RetainLongitudinalTemporalInformationFullDates)
            && Options.Contains(ConfidentialityOption.RetainLongitudinalTemporalInformationModifiedDates))
        {
            throw new ArgumentException("choose either full dates or modified dates for Retain Longitudinal Temporal Information, not both");
        }
    }
}
