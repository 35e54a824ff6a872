using System.Buffers.Binary;
using System.Text;

namespace Cl2.Dicom.Network.Dimse;

/// <summary>
/// A DIMSE command set (group 0000, PS3.7 E.1). Command sets are always Implicit VR Little Endian, whatever the
/// presentation context's transfer syntax, so they get their own small codec, independent of the data set model.
/// Only the elements a message carries are set; the rest are null.
/// </summary>
public sealed record DimseCommand(CommandField CommandField)
{
    /// <summary>Command Data Set Type value meaning "no data set follows"; any other value means one does.</summary>
    public const ushort NoDataSet = 0x0101;

    /// <summary>The value we write when a data set follows (PS3.7 allows any value but 0x0101).</summary>
    public const ushort DataSetPresent = 0x0000;

    /// <summary>Tag (4) + length (4) of an Implicit VR Little Endian element.</summary>
    private const int ElementHeaderLength = 8;

    public bool HasDataSet { get; init; }
    public string? AffectedSopClassUid { get; init; }
    public string? RequestedSopClassUid { get; init; }
    public ushort? MessageId { get; init; }
    public ushort? MessageIdBeingRespondedTo { get; init; }
    public string? MoveDestination { get; init; }
    public DimsePriority? Priority { get; init; }
    public DimseStatus? Status { get; init; }
    public IReadOnlyList<uint>? OffendingElements { get; init; }
    public string? ErrorComment { get; init; }
    public ushort? ErrorId { get; init; }
    public string? AffectedSopInstanceUid { get; init; }
    public string? RequestedSopInstanceUid { get; init; }
    public ushort? NumberOfRemainingSubOperations { get; init; }
    public ushort? NumberOfCompletedSubOperations { get; init; }
    public ushort? NumberOfFailedSubOperations { get; init; }
    public ushort? NumberOfWarningSubOperations { get; init; }
    public string? MoveOriginatorApplicationEntityTitle { get; init; }
    public ushort? MoveOriginatorMessageId { get; init; }

    /// <summary>The response to this request: same SOP class/instance, message id answered, no data set.</summary>
    public DimseCommand ResponseWith(DimseStatus status) => new(CommandField.ResponseOf())
    {
        AffectedSopClassUid = AffectedSopClassUid ?? RequestedSopClassUid,
        AffectedSopInstanceUid = AffectedSopInstanceUid,
        MessageIdBeingRespondedTo = MessageId,
        Status = status,
    };

    public byte[] Encode()
    {
        var body = new MemoryStream(256);
        WriteUid(body, CommandTags.AffectedSopClassUid, AffectedSopClassUid);
        WriteUid(body, CommandTags.RequestedSopClassUid, RequestedSopClassUid);
        WriteUInt16(body, CommandTags.CommandField, (ushort)CommandField);
        WriteUInt16(body, CommandTags.MessageId, MessageId);
        WriteUInt16(body, CommandTags.MessageIdBeingRespondedTo, MessageIdBeingRespondedTo);
        WriteText(body, CommandTags.MoveDestination, MoveDestination);
        WriteUInt16(body, CommandTags.Priority, (ushort?)Priority);
        WriteUInt16(body, CommandTags.CommandDataSetType, HasDataSet ? DataSetPresent : NoDataSet);
        WriteUInt16(body, CommandTags.Status, Status?.Code);
        if (OffendingElements is { Count: > 0 } offending)
        {
            WriteHeader(body, CommandTags.OffendingElement, offending.Count * 4);
            foreach (var tag in offending)
            {
                // AT is two 16-bit values, group then element.
                WriteRaw(body, (ushort)(tag >> 16));
                WriteRaw(body, (ushort)tag);
            }
        }
        WriteText(body, CommandTags.ErrorComment, ErrorComment);
        WriteUInt16(body, CommandTags.ErrorId, ErrorId);
        WriteUid(body, CommandTags.AffectedSopInstanceUid, AffectedSopInstanceUid);
        WriteUid(body, CommandTags.RequestedSopInstanceUid, RequestedSopInstanceUid);
        WriteUInt16(body, CommandTags.NumberOfRemainingSubOperations, NumberOfRemainingSubOperations);
        WriteUInt16(body, CommandTags.NumberOfCompletedSubOperations, NumberOfCompletedSubOperations);
        WriteUInt16(body, CommandTags.NumberOfFailedSubOperations, NumberOfFailedSubOperations);
        WriteUInt16(body, CommandTags.NumberOfWarningSubOperations, NumberOfWarningSubOperations);
        WriteText(body, CommandTags.MoveOriginatorApplicationEntityTitle, MoveOriginatorApplicationEntityTitle);
        WriteUInt16(body, CommandTags.MoveOriginatorMessageId, MoveOriginatorMessageId);

        var result = new byte[ElementHeaderLength + 4 + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(result, CommandTags.CommandGroupLength);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(4), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(8), (uint)body.Length);
        body.GetBuffer().AsSpan(0, (int)body.Length).CopyTo(result.AsSpan(12));
        return result;
    }

    public static DimseCommand Decode(ReadOnlySpan<byte> bytes)
    {
        var values = new Dictionary<uint, byte[]>();
        var offset = 0;
        while (offset < bytes.Length)
        {
            if (bytes.Length - offset < ElementHeaderLength)
            {
                throw new DimseCommandFormatException(offset, null, "element header runs past the end of the command set");
            }
            var group = BinaryPrimitives.ReadUInt16LittleEndian(bytes[offset..]);
            var element = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(offset + 2)..]);
            var tag = (uint)group << 16 | element;
            var length = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(offset + 4)..]);
            if (group != 0x0000)
            {
                throw new DimseCommandFormatException(offset, tag, "element outside group 0000 in a command set");
            }
            if (length > (uint)(bytes.Length - offset - ElementHeaderLength))
            {
                throw new DimseCommandFormatException(offset, tag, $"value length {length} runs past the end of the command set");
            }
            values[tag] = bytes.Slice(offset + ElementHeaderLength, (int)length).ToArray();
            offset += ElementHeaderLength + (int)length;
        }

        var field = ReadUInt16(values, CommandTags.CommandField)
            ?? throw new DimseCommandFormatException(0, CommandTags.CommandField, "no Command Field");
        return new DimseCommand((CommandField)field)
        {
            HasDataSet = (ReadUInt16(values, CommandTags.CommandDataSetType)
                ?? throw new DimseCommandFormatException(0, CommandTags.CommandDataSetType, "no Command Data Set Type")) != NoDataSet,
            AffectedSopClassUid = ReadText(values, CommandTags.AffectedSopClassUid),
            RequestedSopClassUid = ReadText(values, CommandTags.RequestedSopClassUid),
            MessageId = ReadUInt16(values, CommandTags.MessageId),
            MessageIdBeingRespondedTo = ReadUInt16(values, CommandTags.MessageIdBeingRespondedTo),
            MoveDestination = ReadText(values, CommandTags.MoveDestination),
            Priority = (DimsePriority?)ReadUInt16(values, CommandTags.Priority),
            Status = ReadUInt16(values, CommandTags.Status) is { } status ? new DimseStatus(status) : null,
            OffendingElements = values.TryGetValue(CommandTags.OffendingElement, out var at) ? ReadAttributeTags(at) : null,
            ErrorComment = ReadText(values, CommandTags.ErrorComment),
            ErrorId = ReadUInt16(values, CommandTags.ErrorId),
            AffectedSopInstanceUid = ReadText(values, CommandTags.AffectedSopInstanceUid),
            RequestedSopInstanceUid = ReadText(values, CommandTags.RequestedSopInstanceUid),
            NumberOfRemainingSubOperations = ReadUInt16(values, CommandTags.NumberOfRemainingSubOperations),
            NumberOfCompletedSubOperations = ReadUInt16(values, CommandTags.NumberOfCompletedSubOperations),
            NumberOfFailedSubOperations = ReadUInt16(values, CommandTags.NumberOfFailedSubOperations),
            NumberOfWarningSubOperations = ReadUInt16(values, CommandTags.NumberOfWarningSubOperations),
            MoveOriginatorApplicationEntityTitle = ReadText(values, CommandTags.MoveOriginatorApplicationEntityTitle),
            MoveOriginatorMessageId = ReadUInt16(values, CommandTags.MoveOriginatorMessageId),
        };
    }

    private static ushort? ReadUInt16(Dictionary<uint, byte[]> values, uint tag)
    {
        if (!values.TryGetValue(tag, out var value))
        {
            return null;
        }
        return value.Length == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(value)
            : throw new DimseCommandFormatException(0, tag, $"US value of {value.Length} bytes");
    }

    private static string? ReadText(Dictionary<uint, byte[]> values, uint tag) =>
        values.TryGetValue(tag, out var value) ? Encoding.ASCII.GetString(value).Trim(' ', '\0') : null;

    private static uint[] ReadAttributeTags(byte[] value)
    {
        var tags = new uint[value.Length / 4];
        for (var i = 0; i < tags.Length; i++)
        {
            tags[i] = (uint)BinaryPrimitives.ReadUInt16LittleEndian(value.AsSpan(i * 4)) << 16
                | BinaryPrimitives.ReadUInt16LittleEndian(value.AsSpan(i * 4 + 2));
        }
        return tags;
    }

    private static void WriteUInt16(MemoryStream stream, uint tag, ushort? value)
    {
        if (value is { } v)
        {
            WriteHeader(stream, tag, 2);
            WriteRaw(stream, v);
        }
    }

    /// <summary>UI values are padded to even length with NUL (PS3.5 9.1).</summary>
    private static void WriteUid(MemoryStream stream, uint tag, string? uid) => WriteString(stream, tag, uid, 0);

    /// <summary>AE and LO values are padded to even length with a space (PS3.5 6.2).</summary>
    private static void WriteText(MemoryStream stream, uint tag, string? text) => WriteString(stream, tag, text, (byte)' ');

    private static void WriteString(MemoryStream stream, uint tag, string? value, byte padding)
    {
        if (value is null)
        {
            return;
        }
        var bytes = Encoding.ASCII.GetBytes(value);
        var padded = bytes.Length + (bytes.Length & 1);
        WriteHeader(stream, tag, padded);
        stream.Write(bytes);
        if (padded != bytes.Length)
        {
            stream.WriteByte(padding);
        }
    }

    private static void WriteHeader(MemoryStream stream, uint tag, int length)
    {
        WriteRaw(stream, (ushort)(tag >> 16));
        WriteRaw(stream, (ushort)tag);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)length);
        stream.Write(bytes);
    }

    private static void WriteRaw(MemoryStream stream, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        stream.Write(bytes);
    }
}
