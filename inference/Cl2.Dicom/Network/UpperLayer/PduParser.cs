using System.Buffers.Binary;
using System.Text;

namespace Cl2.Dicom.Network.UpperLayer;

/// <summary>
/// Decodes the variable field of a PDU (everything after the 6-byte header). Offsets in exceptions count from the
/// start of the PDU, header included, so they match a packet capture.
/// </summary>
public static class PduParser
{
    public static Pdu Parse(PduType type, ReadOnlyMemory<byte> body) => type switch
    {
        PduType.AAssociateRq => ParseAssociateRq(body.Span),
        PduType.AAssociateAc => ParseAssociateAc(body.Span),
        PduType.AAssociateRj => ParseAssociateRj(body.Span),
        PduType.PDataTf => new PDataTf(ParsePresentationDataValues(body)),
        PduType.AReleaseRq => CheckFourByteBody(type, body.Span, AReleaseRq.Instance),
        PduType.AReleaseRp => CheckFourByteBody(type, body.Span, AReleaseRp.Instance),
        PduType.AAbort => ParseAbort(body.Span),
        _ => throw new PduFormatException(null, 0, $"unrecognized PDU type 0x{(byte)type:X2}", AbortReason.UnrecognizedPdu),
    };

    public static bool IsKnownType(byte type) => type is >= (byte)PduType.AAssociateRq and <= (byte)PduType.AAbort;

    /// <summary>P-DATA-TF's PDVs, as slices of <paramref name="body"/> (no copy).</summary>
    public static List<PresentationDataValue> ParsePresentationDataValues(ReadOnlyMemory<byte> body)
    {
        var values = new List<PresentationDataValue>(1);
        var span = body.Span;
        var offset = 0;
        while (offset < span.Length)
        {
            if (span.Length - offset < PresentationDataValue.HeaderLength)
            {
                throw Malformed(PduType.PDataTf, offset, "PDV item header runs past the end of the PDU");
            }
            var itemLength = BinaryPrimitives.ReadUInt32BigEndian(span[offset..]);
            if (itemLength < 2 || itemLength > (uint)(span.Length - offset - 4))
            {
                throw Malformed(PduType.PDataTf, offset, $"PDV item length {itemLength} does not fit the PDU");
            }
            var contextId = span[offset + 4];
            var header = span[offset + 5];
            if (!PresentationDataValue.IsValidMessageControlHeader(header) || contextId % 2 == 0)
            {
                throw Malformed(PduType.PDataTf, offset + 4, $"invalid PDV (context id {contextId}, message control header 0x{header:X2})");
            }
            var (isCommand, isLast) = PresentationDataValue.DecodeMessageControlHeader(header);
            values.Add(new PresentationDataValue(contextId, isCommand, isLast, body.Slice(offset + 6, (int)itemLength - 2)));
            offset += 4 + (int)itemLength;
        }
        if (values.Count == 0)
        {
            throw Malformed(PduType.PDataTf, 0, "P-DATA-TF without a PDV item");
        }
        return values;
    }

    /// <summary>A-ASSOCIATE-RJ, A-RELEASE-RQ/RP and A-ABORT have a fixed 4-byte variable field.</summary>
    private const int FixedBodyLength = 4;

    private static T CheckFourByteBody<T>(PduType type, ReadOnlySpan<byte> body, T pdu) =>
        body.Length == FixedBodyLength ? pdu : throw Malformed(type, 0, $"length {body.Length}, expected {FixedBodyLength}");

    private static AAssociateRj ParseAssociateRj(ReadOnlySpan<byte> body)
    {
        CheckFourByteBody(PduType.AAssociateRj, body, 0);
        return new AAssociateRj((AssociateRejectResult)body[1], (AssociateRejectSource)body[2], body[3]);
    }

    private static AAbort ParseAbort(ReadOnlySpan<byte> body)
    {
        CheckFourByteBody(PduType.AAbort, body, 0);
        return new AAbort((AbortSource)body[2], (AbortReason)body[3]);
    }

    private static AAssociateRq ParseAssociateRq(ReadOnlySpan<byte> body)
    {
        var (version, called, calling) = ParseAssociateFixedFields(PduType.AAssociateRq, body);
        string? applicationContext = null;
        UserInformation? userInformation = null;
        var contexts = new List<PresentationContext>();
        foreach (var (itemType, offset, value) in Items(PduType.AAssociateRq, body, PduEncoder.AssociateFixedFieldsLength))
        {
            switch (itemType)
            {
                case PduItemType.ApplicationContext:
                    applicationContext = Uid(value);
                    break;
                case PduItemType.PresentationContextRq:
                    contexts.Add(ParsePresentationContextRq(value, offset));
                    break;
                case PduItemType.UserInformation:
                    userInformation = ParseUserInformation(PduType.AAssociateRq, value, offset);
                    break;
                default:
                    // PS3.8 9.3.1: items of unknown type are ignored, so that future items do not break old peers.
                    break;
            }
        }
        if (applicationContext is null)
        {
            throw Malformed(PduType.AAssociateRq, 0, "no application context item", AbortReason.UnexpectedPduParameter);
        }
        if (contexts.Count == 0)
        {
            throw Malformed(PduType.AAssociateRq, 0, "no presentation context item", AbortReason.UnexpectedPduParameter);
        }
        return new AAssociateRq(called, calling, contexts, userInformation ?? new UserInformation(0))
        {
            ApplicationContextName = applicationContext,
            ProtocolVersion = version,
        };
    }

    private static AAssociateAc ParseAssociateAc(ReadOnlySpan<byte> body)
    {
        var (version, called, calling) = ParseAssociateFixedFields(PduType.AAssociateAc, body);
        string? applicationContext = null;
        UserInformation? userInformation = null;
        var results = new List<PresentationContextResult>();
        foreach (var (itemType, offset, value) in Items(PduType.AAssociateAc, body, PduEncoder.AssociateFixedFieldsLength))
        {
            switch (itemType)
            {
                case PduItemType.ApplicationContext:
                    applicationContext = Uid(value);
                    break;
                case PduItemType.PresentationContextAc:
                    if (value.Length < 4)
                    {
                        throw Malformed(PduType.AAssociateAc, offset, "presentation context item shorter than 4 bytes");
                    }
                    string syntax = "";
                    foreach (var (subType, _, subValue) in Items(PduType.AAssociateAc, value, 4, offset + 4))
                    {
                        if (subType == PduItemType.TransferSyntax)
                        {
                            syntax = Uid(subValue);
                        }
                    }
                    results.Add(new PresentationContextResult(value[0], (PresentationContextResultReason)value[2], syntax));
                    break;
                case PduItemType.UserInformation:
                    userInformation = ParseUserInformation(PduType.AAssociateAc, value, offset);
                    break;
                default:
                    break;
            }
        }
        return new AAssociateAc(called, calling, results, userInformation ?? new UserInformation(0))
        {
            ApplicationContextName = applicationContext
                ?? throw Malformed(PduType.AAssociateAc, 0, "no application context item", AbortReason.UnexpectedPduParameter),
            ProtocolVersion = version,
        };
    }

    private static (ushort Version, string Called, string Calling) ParseAssociateFixedFields(PduType type, ReadOnlySpan<byte> body)
    {
        if (body.Length < PduEncoder.AssociateFixedFieldsLength)
        {
            throw Malformed(type, 0, $"{body.Length} bytes, shorter than the {PduEncoder.AssociateFixedFieldsLength} fixed bytes");
        }
        var version = BinaryPrimitives.ReadUInt16BigEndian(body);
        var called = AeTitle(body.Slice(4, PduEncoder.AeTitleLength));
        var calling = AeTitle(body.Slice(4 + PduEncoder.AeTitleLength, PduEncoder.AeTitleLength));
        return (version, called, calling);
    }

    private static PresentationContext ParsePresentationContextRq(ReadOnlySpan<byte> value, int offset)
    {
        if (value.Length < 4)
        {
            throw Malformed(PduType.AAssociateRq, offset, "presentation context item shorter than 4 bytes");
        }
        var id = value[0];
        if (id % 2 == 0)
        {
            throw Malformed(PduType.AAssociateRq, offset, $"presentation context id {id} is even", AbortReason.InvalidPduParameterValue);
        }
        string? abstractSyntax = null;
        var transferSyntaxes = new List<string>();
        foreach (var (subType, _, subValue) in Items(PduType.AAssociateRq, value, 4, offset + 4))
        {
            if (subType == PduItemType.AbstractSyntax)
            {
                abstractSyntax = Uid(subValue);
            }
            else if (subType == PduItemType.TransferSyntax)
            {
                transferSyntaxes.Add(Uid(subValue));
            }
        }
        return new PresentationContext(id,
            abstractSyntax ?? throw Malformed(PduType.AAssociateRq, offset, $"presentation context {id} has no abstract syntax", AbortReason.UnexpectedPduParameter),
            transferSyntaxes);
    }

    private static UserInformation ParseUserInformation(PduType type, ReadOnlySpan<byte> value, int offset)
    {
        uint maxLength = 0;
        string? classUid = null, versionName = null;
        AsynchronousOperationsWindow? window = null;
        List<ScpScuRoleSelection>? roles = null;
        foreach (var (subType, subOffset, sub) in Items(type, value, 0, offset + 4))
        {
            switch (subType)
            {
                case PduItemType.MaximumLength:
                    maxLength = sub.Length == 4 ? BinaryPrimitives.ReadUInt32BigEndian(sub)
                        : throw Malformed(type, subOffset, "maximum length sub-item is not 4 bytes", AbortReason.InvalidPduParameterValue);
                    break;
                case PduItemType.ImplementationClassUid:
                    classUid = Uid(sub);
                    break;
                case PduItemType.ImplementationVersionName:
                    versionName = Uid(sub);
                    break;
                case PduItemType.AsynchronousOperationsWindow:
                    window = sub.Length == 4
                        ? new AsynchronousOperationsWindow(BinaryPrimitives.ReadUInt16BigEndian(sub), BinaryPrimitives.ReadUInt16BigEndian(sub[2..]))
                        : throw Malformed(type, subOffset, "asynchronous operations window sub-item is not 4 bytes", AbortReason.InvalidPduParameterValue);
                    break;
                case PduItemType.ScpScuRoleSelection:
                    var uidLength = sub.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(sub) : int.MaxValue;
                    if (sub.Length != uidLength + 4)
                    {
                        throw Malformed(type, subOffset, "SCP/SCU role selection sub-item length does not match its UID length", AbortReason.InvalidPduParameterValue);
                    }
                    (roles ??= []).Add(new ScpScuRoleSelection(Uid(sub.AsSpan(2, uidLength)), sub[2 + uidLength] != 0, sub[3 + uidLength] != 0));
                    break;
                default:
                    // Extended negotiation and user identity are not negotiated by us; unanswered means not supported.
                    break;
            }
        }
        return new UserInformation(maxLength, classUid, versionName, window, roles);
    }

    /// <summary>Items with a 1-byte type, 1 reserved byte and a 2-byte length, from <paramref name="start"/> to the end;
    /// <paramref name="baseOffset"/> is where <paramref name="span"/> starts in the PDU body.</summary>
    private static List<(byte Type, int Offset, byte[] Value)> Items(PduType type, ReadOnlySpan<byte> span, int start, int baseOffset = 0)
    {
        var items = new List<(byte, int, byte[])>();
        var offset = start;
        while (offset < span.Length)
        {
            var bodyOffset = baseOffset + offset;
            if (span.Length - offset < 4)
            {
                throw Malformed(type, bodyOffset, "item header runs past the end of its container");
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(span[(offset + 2)..]);
            if (length > span.Length - offset - 4)
            {
                throw Malformed(type, bodyOffset, $"item 0x{span[offset]:X2} of length {length} runs past the end of its container");
            }
            items.Add((span[offset], bodyOffset, span.Slice(offset + 4, length).ToArray()));
            offset += 4 + length;
        }
        return items;
    }

    private static string AeTitle(ReadOnlySpan<byte> bytes) => Encoding.ASCII.GetString(bytes).Trim(' ', '\0');

    private static string Uid(ReadOnlySpan<byte> bytes) => Encoding.ASCII.GetString(bytes).TrimEnd('\0', ' ');

    private static PduFormatException Malformed(PduType type, int bodyOffset, string what, AbortReason reason = AbortReason.InvalidPduParameterValue) =>
        new(type, Pdu.HeaderLength + bodyOffset, what, reason);
}
