namespace Cl2.Dicom.Network.UpperLayer;

/// <summary>Encodes PDUs into their wire form (PS3.8 9.3), header included.</summary>
public static class PduEncoder
{
    /// <summary>Protocol version (2) + reserved (2) + called AE (16) + calling AE (16) + reserved (32).</summary>
    internal const int AssociateFixedFieldsLength = 68;
    internal const int AeTitleLength = 16;

    public static byte[] Encode(Pdu pdu)
    {
        var buffer = new PduBuffer();
        buffer.WriteByte((byte)pdu.Type);
        buffer.WriteByte(0);
        var start = buffer.BeginLength32();
        switch (pdu)
        {
            case AAssociateRq rq:
                WriteAssociateFixedFields(buffer, rq.ProtocolVersion, rq.CalledAeTitle, rq.CallingAeTitle);
                WriteUidItem(buffer, PduItemType.ApplicationContext, rq.ApplicationContextName);
                foreach (var context in rq.PresentationContexts)
                {
                    buffer.WriteByte(PduItemType.PresentationContextRq);
                    buffer.WriteByte(0);
                    var item = buffer.BeginLength16();
                    buffer.WriteByte(context.Id);
                    buffer.WriteZeros(3);
                    WriteUidItem(buffer, PduItemType.AbstractSyntax, context.AbstractSyntax);
                    foreach (var syntax in context.TransferSyntaxes)
                    {
                        WriteUidItem(buffer, PduItemType.TransferSyntax, syntax);
                    }
                    buffer.EndLength16(item);
                }
                WriteUserInformation(buffer, rq.UserInformation);
                break;
            case AAssociateAc ac:
                WriteAssociateFixedFields(buffer, ac.ProtocolVersion, ac.CalledAeTitle, ac.CallingAeTitle);
                WriteUidItem(buffer, PduItemType.ApplicationContext, ac.ApplicationContextName);
                foreach (var result in ac.PresentationContextResults)
                {
                    buffer.WriteByte(PduItemType.PresentationContextAc);
                    buffer.WriteByte(0);
                    var item = buffer.BeginLength16();
                    buffer.WriteByte(result.Id);
                    buffer.WriteByte(0);
                    buffer.WriteByte((byte)result.Result);
                    buffer.WriteByte(0);
                    WriteUidItem(buffer, PduItemType.TransferSyntax, result.TransferSyntax);
                    buffer.EndLength16(item);
                }
                WriteUserInformation(buffer, ac.UserInformation);
                break;
            case AAssociateRj rj:
                buffer.WriteByte(0);
                buffer.WriteByte((byte)rj.Result);
                buffer.WriteByte((byte)rj.Source);
                buffer.WriteByte(rj.Reason);
                break;
            case PDataTf data:
                foreach (var pdv in data.Values)
                {
                    buffer.WriteUInt32(checked((uint)(pdv.Data.Length + 2)));
                    buffer.WriteByte(pdv.PresentationContextId);
                    buffer.WriteByte(pdv.MessageControlHeader);
                    buffer.WriteBytes(pdv.Data.Span);
                }
                break;
            case AReleaseRq or AReleaseRp:
                buffer.WriteZeros(4);
                break;
            case AAbort abort:
                buffer.WriteZeros(2);
                buffer.WriteByte((byte)abort.Source);
                buffer.WriteByte((byte)abort.Reason);
                break;
            default:
                throw new ArgumentException($"cannot encode {pdu.GetType().Name}", nameof(pdu));
        }
        buffer.EndLength32(start);
        return buffer.ToArray();
    }

    private static void WriteAssociateFixedFields(PduBuffer buffer, ushort protocolVersion, string called, string calling)
    {
        CheckAeTitle(called, nameof(AAssociateRq.CalledAeTitle));
        CheckAeTitle(calling, nameof(AAssociateRq.CallingAeTitle));
        buffer.WriteUInt16(protocolVersion);
        buffer.WriteZeros(2);
        buffer.WriteAscii(called, AeTitleLength);
        buffer.WriteAscii(calling, AeTitleLength);
        buffer.WriteZeros(32);
    }

    /// <summary>AE titles are 1 to 16 characters of the default repertoire without backslash or control characters (PS3.5 6.2).</summary>
    private static void CheckAeTitle(string title, string what)
    {
        if (title.Trim().Length == 0 || title.Length > AeTitleLength || title.Any(c => c is < ' ' or > '~' or '\\'))
        {
            throw new ArgumentException($"{what} '{title}' is not a valid AE title (1 to {AeTitleLength} printable ASCII characters, no backslash)");
        }
    }

    private static void WriteUidItem(PduBuffer buffer, byte itemType, string uid)
    {
        buffer.WriteByte(itemType);
        buffer.WriteByte(0);
        var item = buffer.BeginLength16();
        buffer.WriteAscii(uid);
        buffer.EndLength16(item);
    }

    private static void WriteUserInformation(PduBuffer buffer, UserInformation info)
    {
        buffer.WriteByte(PduItemType.UserInformation);
        buffer.WriteByte(0);
        var item = buffer.BeginLength16();

        buffer.WriteByte(PduItemType.MaximumLength);
        buffer.WriteByte(0);
        buffer.WriteUInt16(4);
        buffer.WriteUInt32(info.MaxPduLength);

        if (info.ImplementationClassUid is { } classUid)
        {
            WriteUidItem(buffer, PduItemType.ImplementationClassUid, classUid);
        }
        if (info.AsynchronousOperationsWindow is { } window)
        {
            buffer.WriteByte(PduItemType.AsynchronousOperationsWindow);
            buffer.WriteByte(0);
            buffer.WriteUInt16(4);
            buffer.WriteUInt16(window.MaxOperationsInvoked);
            buffer.WriteUInt16(window.MaxOperationsPerformed);
        }
        foreach (var role in info.RoleSelectionsOrEmpty)
        {
            buffer.WriteByte(PduItemType.ScpScuRoleSelection);
            buffer.WriteByte(0);
            var sub = buffer.BeginLength16();
            buffer.WriteUInt16(checked((ushort)role.SopClassUid.Length));
            buffer.WriteAscii(role.SopClassUid);
            buffer.WriteByte(role.ScuRole ? (byte)1 : (byte)0);
            buffer.WriteByte(role.ScpRole ? (byte)1 : (byte)0);
            buffer.EndLength16(sub);
        }
        if (info.ImplementationVersionName is { } versionName)
        {
            WriteUidItem(buffer, PduItemType.ImplementationVersionName, versionName);
        }
        buffer.EndLength16(item);
    }
}
