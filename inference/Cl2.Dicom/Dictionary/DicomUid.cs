using System.Collections.Frozen;

namespace Cl2.Dicom;

/// <summary>The kinds of UID in the registry of PS3.6 Annex A.</summary>
public enum DicomUidType
{
    Other,
    TransferSyntax,
    SopClass,
    MetaSopClass,
    WellKnownSopInstance,
    ApplicationContextName,
    CodingScheme,
    WellKnownFrameOfReference,
    SynchronizationFrameOfReference,
    ServiceClass,
    ApplicationHostingModel,
    MappingResource,
    LdapOid,
    ContextGroupName,
}

/// <summary>A registered UID (PS3.6 Annex A).</summary>
public sealed record DicomUid(string Value, string Name, DicomUidType Type, bool IsRetired)
{
    /// <summary>The most characters a UID may have (PS3.5 §9.1).</summary>
    public const int MaxLength = 64;

    /// <summary>The rule <see cref="IsValid"/> checks, in words for error messages.</summary>
    public const string Rule = "digits in components separated by dots, no component with a leading zero, at most 64 characters (PS3.5 section 9.1)";

    /// <summary>
    /// Whether <paramref name="value"/> is a UID by PS3.5 §9.1: at least two components of the digits 0-9 separated by
    /// '.', none empty and none with a leading zero (a lone "0" is fine), at most <see cref="MaxLength"/> characters.
    /// Padding is not part of a UID: strip the trailing NUL before asking.
    /// </summary>
    public static bool IsValid(string? value)
    {
        if (value is null || value.Length is 0 or > MaxLength)
        {
            return false;
        }
        var components = 1;
        var start = 0;
        for (var i = 0; i <= value.Length; i++)
        {
            if (i == value.Length || value[i] == '.')
            {
                var length = i - start;
                if (length == 0 || (length > 1 && value[start] == '0'))
                {
                    return false;
                }
                components += i < value.Length ? 1 : 0;
                start = i + 1;
            }
            else if (!char.IsAsciiDigit(value[i]))
            {
                return false;
            }
        }
        return components >= 2;
    }

    public override string ToString() => Value;
}

public static partial class DicomUids
{
    public static IReadOnlyList<DicomUid> All => Registry;

    public static DicomUid? Find(string uid) => Index.ByValue.GetValueOrDefault(uid);

    private static class Index
    {
        public static readonly FrozenDictionary<string, DicomUid> ByValue = Registry.ToFrozenDictionary(u => u.Value, StringComparer.Ordinal);
    }
}
