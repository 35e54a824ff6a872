using System.Text.RegularExpressions;
using Cl2.Models.Checkpoints;

namespace Cl2.Models.Workloads;

/// <summary>
/// How to find the series of one input channel in a study: its modality, its SOP class and a regular expression on its
/// Series Description (case-insensitive), e.g. FLAIR for brain MRI's fourth channel.
/// </summary>
/// <param name="Modalities">Modality (0008,0060) values accepted, e.g. MR; DX or CR.</param>
/// <param name="SopClassUids">SOP Class UIDs accepted (single-frame image storage classes the loader assembles).</param>
/// <param name="DescriptionPattern">Matched against Series Description; "" matches any.</param>
public sealed record SeriesRule(InputChannel Channel, IReadOnlyList<string> Modalities, IReadOnlyList<string> SopClassUids, string DescriptionPattern)
{
    /// <summary>None: the patterns are the workloads' own, reviewed with the code, matched against a Series Description of
    /// at most 64 characters. A wall-clock limit guarded nothing and failed studies on a loaded machine, where a thread
    /// descheduled in the middle of a match ran past it (RegexMatchTimeoutException, recorded WORKLOAD_FAILED).</summary>
    private static readonly TimeSpan MatchTimeout = Regex.InfiniteMatchTimeout;

    public string Name => Channel.Modality;

    /// <summary>Why <paramref name="series"/> is not this channel's series, or null when it is.</summary>
    public string? Mismatch(SeriesSummary series)
    {
        if (!Modalities.Contains(series.Modality, StringComparer.OrdinalIgnoreCase))
        {
            return $"modality {series.Modality}, not {string.Join(" or ", Modalities)}";
        }
        if (!SopClassUids.Contains(series.SopClassUid, StringComparer.Ordinal))
        {
            return $"SOP class {series.SopClassUid} is not one {Name} is read from";
        }
        return Regex.IsMatch(series.Description, DescriptionPattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeout)
            ? null
            : $"description '{series.Description}' does not match /{DescriptionPattern}/";
    }

    public override string ToString() => $"{Name} ({string.Join("/", Modalities)}, description /{DescriptionPattern}/)";
}

/// <summary>What series selection looks at: one series of a study as its first instance describes it.</summary>
public sealed record SeriesSummary(string SeriesInstanceUid, string Modality, string SopClassUid, string Description, int? SeriesNumber, int Instances)
{
    public override string ToString() =>
        $"{(SeriesNumber is { } number ? $"#{number} " : "")}'{Description}' ({Modality}, {Instances} image{(Instances == 1 ? "" : "s")})";
}
