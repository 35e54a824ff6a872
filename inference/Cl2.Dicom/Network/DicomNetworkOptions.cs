namespace Cl2.Dicom.Network;

/// <summary>
/// Every limit the upper layer enforces on a peer. Named so that a conformance statement and a configuration file
/// can say the same number, and so that a hostile peer meets a bound instead of our memory.
/// </summary>
public sealed record DicomNetworkOptions
{
    /// <summary>Largest P-DATA-TF variable field we accept, announced as our Maximum Length in A-ASSOCIATE.</summary>
    public uint MaxPduLength { get; init; } = 256 * 1024;

    /// <summary>Largest A-ASSOCIATE-RQ/AC PDU we read; 128 presentation contexts fit comfortably.</summary>
    public uint MaxAssociatePduLength { get; init; } = 256 * 1024;

    /// <summary>Largest DIMSE command set (group 0000) we reassemble; real ones are a few hundred bytes.</summary>
    public int MaxCommandLength { get; init; } = 64 * 1024;

    /// <summary>Largest C-FIND identifier we hold in memory (identifiers are small; data sets are streamed).</summary>
    public int MaxIdentifierLength { get; init; } = 4 * 1024 * 1024;

    /// <summary>Association Request/Release/Reject Timer (PS3.8 9.1.5): how long we wait for A-ASSOCIATE-RQ after
    /// accepting a connection, for A-ASSOCIATE-AC/RJ after sending a request, and for the peer to close after the end.</summary>
    public TimeSpan ArtimTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a new connection may take to deliver its whole A-ASSOCIATE-RQ (the first PDU); a real requestor
    /// sends it at once, so a silent connection gives its slot back after this, not after <see cref="ArtimTimeout"/>.</summary>
    public TimeSpan AssociateRequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an established association may stay silent (or stall inside a PDU) before we abort it.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Associations served at once; one more is rejected transiently with local-limit-exceeded.</summary>
    public int MaxConcurrentAssociations { get; init; } = 32;

    /// <summary>Connections one peer address may hold at once; one more is closed as soon as it is accepted (nothing is read
    /// from it), so one address cannot take every slot of <see cref="MaxConcurrentAssociations"/>.</summary>
    public int MaxAssociationsPerAddress { get; init; } = 8;

    /// <summary>Identifies this implementation in A-ASSOCIATE user information; the same as in the files we write.</summary>
    public string ImplementationClassUid { get; init; } = DicomFileMetaInformation.ImplementationClassUid;

    public string ImplementationVersionName { get; init; } = DicomFileMetaInformation.ImplementationVersionName;
}
