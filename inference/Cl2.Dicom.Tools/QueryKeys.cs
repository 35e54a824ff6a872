using Cl2.Dicom.Network.Association;
using Cl2.Dicom.Network.Client;

namespace Cl2.Dicom.Tools;

/// <summary>Which information model a query names (findscu/movescu/getscu -P / -S).</summary>
internal enum QueryRoot
{
    Patient,
    Study,
}

/// <summary>
/// The identifier of a C-FIND/C-MOVE/C-GET built from DCMTK-style `-k KEY[=VALUE]` options: KEY is a keyword
/// (PatientName) or a tag (0010,0010); no value makes it a return key. Query Retrieve Level must be among them.
/// </summary>
internal static class QueryKeys
{
    public const string Usage = "[-P|-S] -k QueryRetrieveLevel=PATIENT|STUDY|SERIES|IMAGE -k KEY[=VALUE]...";

    public static readonly string[] ValueOptions = ["-k", "--key"];
    public static readonly string[] Switches = ["-P", "--patient", "-S", "--study"];

    public static QueryRoot Root(CommandLine line) => line.Has("-P") || line.Has("--patient") ? QueryRoot.Patient : QueryRoot.Study;

    public static string Model(QueryRoot root, string service) => (root, service) switch
    {
        (QueryRoot.Patient, "find") => DicomUids.PatientRootQueryRetrieveInformationModelFind.Value,
        (QueryRoot.Patient, "move") => DicomUids.PatientRootQueryRetrieveInformationModelMove.Value,
        (QueryRoot.Patient, "get") => DicomUids.PatientRootQueryRetrieveInformationModelGet.Value,
        (QueryRoot.Study, "find") => DicomUids.StudyRootQueryRetrieveInformationModelFind.Value,
        (QueryRoot.Study, "move") => DicomUids.StudyRootQueryRetrieveInformationModelMove.Value,
        (QueryRoot.Study, "get") => DicomUids.StudyRootQueryRetrieveInformationModelGet.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(service), service, "find, move or get"),
    };

    public static DicomDataset Identifier(CommandLine line)
    {
        var identifier = new DicomDataset();
        foreach (var key in line.All("-k").Concat(line.All("--key")))
        {
            var equals = key.IndexOf('=', StringComparison.Ordinal);
            var name = (equals < 0 ? key : key[..equals]).Trim();
            var value = equals < 0 ? "" : key[(equals + 1)..];
            var tag = Tag(name);
            var vr = DicomDictionary.Find(tag)?.DefaultVR ?? throw new UsageException($"-k {name}: not in the data dictionary, so its VR is unknown");
            if (vr == DicomVR.SQ)
            {
                throw new UsageException($"-k {name}: sequence keys are not supported");
            }
            identifier.SetString(tag, vr, value);
        }
        if (!identifier.TryGetString(DicomTags.QueryRetrieveLevel, out var level) || level.Trim() is not ("PATIENT" or "STUDY" or "SERIES" or "IMAGE"))
        {
            throw new UsageException("-k QueryRetrieveLevel=PATIENT|STUDY|SERIES|IMAGE is needed");
        }
        return identifier;
    }

    /// <summary>The identifier's bytes in the transfer syntax the peer accepted for the model's context.</summary>
    public static byte[] Encode(DicomDataset identifier, DicomClientAssociation association, string model)
    {
        var context = association.Negotiated.FindContext(model)
            ?? throw new Network.NoPresentationContextException($"the peer did not accept {model}");
        using var bytes = new MemoryStream();
        DicomWriter.WriteDataset(bytes, identifier, DicomTransferSyntax.Lookup(context.TransferSyntax));
        return bytes.ToArray();
    }

    /// <summary>A query/retrieve context proposing the uncompressed syntaxes every peer reads.</summary>
    public static Network.UpperLayer.PresentationContext Context(byte id, string model) => new(id, model, DicomTransferSyntax.UncompressedUids);

    private static DicomTag Tag(string name)
    {
        if (DicomDictionary.Find(name) is { } entry)
        {
            return entry.Tag;
        }
        try
        {
            return DicomTag.Parse(name);
        }
        catch (FormatException)
        {
            throw new UsageException($"-k {name}: neither a keyword of the data dictionary nor a tag like (0010,0010)");
        }
    }
}
