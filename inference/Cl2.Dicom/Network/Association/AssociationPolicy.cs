using System.Net;

namespace Cl2.Dicom.Network.Association;

/// <summary>Decides whether a calling AE title at a network address is a recognized peer: null rejects the association
/// (calling-AE-title-not-recognized); otherwise the <see cref="AssociationPolicy.RestrictedAbstractSyntaxes"/> it may use.</summary>
public delegate IReadOnlySet<string>? CallerAdmission(string callingAeTitle, IPAddress address);

/// <summary>
/// What an acceptor agrees to: who may call us by which title, which abstract syntaxes and transfer syntaxes we take.
/// Transfer syntaxes are in our order of preference.
/// </summary>
public sealed record AssociationPolicy
{
    public required string AeTitle { get; init; }

    /// <summary>Calling AE titles allowed to associate; empty allows any caller.</summary>
    public IReadOnlySet<string> AllowedCallingAeTitles { get; init; } = new HashSet<string>();

    public IReadOnlySet<string> AbstractSyntaxes { get; init; } = new HashSet<string>();

    /// <summary>Accept every Storage SOP Class (a store SCP should not need a list that the standard keeps growing).</summary>
    public bool AcceptAllStorageSopClasses { get; init; }

    public IReadOnlyList<string> TransferSyntaxes { get; init; } = DicomTransferSyntax.UncompressedUids;

    /// <summary>Abstract syntaxes only <see cref="CallingAeTitlesForRestricted"/> may use (query/retrieve, say); a context for
    /// one of them from another caller is answered user-rejection and the rest of the association goes on.</summary>
    public IReadOnlySet<string> RestrictedAbstractSyntaxes { get; init; } = new HashSet<string>();

    public IReadOnlySet<string> CallingAeTitlesForRestricted { get; init; } = new HashSet<string>();

    /// <summary>When set, decides who may associate and which restricted abstract syntaxes each caller may use, in place of
    /// <see cref="AllowedCallingAeTitles"/> and <see cref="CallingAeTitlesForRestricted"/> (which know no addresses).</summary>
    public CallerAdmission? AdmitCaller { get; init; }

    /// <summary>Whether a requestor may take the SCP role (C-GET retrievers store into themselves).</summary>
    public bool AllowRequestorScpRole { get; init; }

    public bool RestrictsFrom(string abstractSyntax, string callingAeTitle) =>
        RestrictedAbstractSyntaxes.Contains(abstractSyntax) && !CallingAeTitlesForRestricted.Contains(callingAeTitle);

    /// <summary>Whether a caller that <see cref="AdmitCaller"/> granted <paramref name="granted"/> (null when there is no
    /// <see cref="AdmitCaller"/>) is kept from <paramref name="abstractSyntax"/>.</summary>
    public bool RestrictsFrom(string abstractSyntax, string callingAeTitle, IReadOnlySet<string>? granted) =>
        granted is null ? RestrictsFrom(abstractSyntax, callingAeTitle)
            : RestrictedAbstractSyntaxes.Contains(abstractSyntax) && !granted.Contains(abstractSyntax);

    public bool AcceptsAbstractSyntax(string uid) =>
        AbstractSyntaxes.Contains(uid) || (AcceptAllStorageSopClasses && DicomUids.IsStorageSopClass(uid));
}
