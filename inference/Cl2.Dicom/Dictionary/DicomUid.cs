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
