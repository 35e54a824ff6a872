using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Cl2.Dicom;

public sealed partial class DicomDataset
{
    /// <summary>Sets a text value (several values joined by '\'), with the VR of the registry.</summary>
    public DicomDataset SetString(DicomTag tag, string value) => SetString(tag, VROf(tag), value);

    public DicomDataset SetString(DicomTag tag, DicomVR vr, string value)
    {
        ArgumentNullException.ThrowIfNull(vr);
        ArgumentNullException.ThrowIfNull(value);
        if (!vr.IsText)
        {
            return SetValues(tag, vr, vr.IsMultiValued ? value.Split('\\') : [value]);
        }
        var bytes = tag == DicomTags.SpecificCharacterSet ? Encoding.ASCII.GetBytes(value) : CharacterSet.Encode(value, vr);
        return Add(new DicomValueElement(tag, vr, DicomBuffer.FromBytes(Pad(bytes, vr))));
    }

    public DicomDataset SetStrings(DicomTag tag, params string[] values) => SetString(tag, string.Join('\\', values));

    /// <summary>Sets numbers, tags, names or strings; the VR decides the encoding (binary for US, FD…, text for DS, IS…).</summary>
    public DicomDataset SetValues<T>(DicomTag tag, params T[] values) => SetValues(tag, VROf(tag), values);

    public DicomDataset SetValues<T>(DicomTag tag, DicomVR vr, params T[] values)
    {
        ArgumentNullException.ThrowIfNull(vr);
        ArgumentNullException.ThrowIfNull(values);
        if (vr.IsText)
        {
            var texts = values.Select(v => v switch
            {
                double d => d.ToString("G12", CultureInfo.InvariantCulture),
                float f => f.ToString("G9", CultureInfo.InvariantCulture),
                IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                _ => v?.ToString() ?? "",
            });
            return SetString(tag, vr, string.Join('\\', texts));
        }
        if (vr == DicomVR.SQ)
        {
            throw new ArgumentException($"{Describe(tag)} is a sequence: add a DicomSequence", nameof(vr));
        }
        var stream = new MemoryStream();
        Span<byte> scratch = stackalloc byte[8];
        foreach (var value in values)
        {
            if (vr == DicomVR.AT)
            {
                var t = value is DicomTag at ? at : DicomTag.Parse(Convert.ToString(value, CultureInfo.InvariantCulture)!);
                BinaryPrimitives.WriteUInt16LittleEndian(scratch, t.Group);
                BinaryPrimitives.WriteUInt16LittleEndian(scratch[2..], t.Element);
                stream.Write(scratch[..4]);
                continue;
            }
            object number = value is string s ? double.Parse(s, CultureInfo.InvariantCulture) : value!;
            switch (vr.Code)
            {
                case "US" or "OW":
                    BinaryPrimitives.WriteUInt16LittleEndian(scratch, Convert.ToUInt16(number, CultureInfo.InvariantCulture));
                    stream.Write(scratch[..2]);
                    break;
                case "SS":
                    BinaryPrimitives.WriteInt16LittleEndian(scratch, Convert.ToInt16(number, CultureInfo.InvariantCulture));
                    stream.Write(scratch[..2]);
                    break;
                case "UL" or "OL":
                    BinaryPrimitives.WriteUInt32LittleEndian(scratch, Convert.ToUInt32(number, CultureInfo.InvariantCulture));
                    stream.Write(scratch[..4]);
                    break;
                case "SL":
                    BinaryPrimitives.WriteInt32LittleEndian(scratch, Convert.ToInt32(number, CultureInfo.InvariantCulture));
                    stream.Write(scratch[..4]);
                    break;
                case "FL" or "OF":
                    BinaryPrimitives.WriteSingleLittleEndian(scratch, Convert.ToSingle(number, CultureInfo.InvariantCulture));
                    stream.Write(scratch[..4]);
                    break;
                case "FD" or "OD":
                    BinaryPrimitives.WriteDoubleLittleEndian(scratch, Convert.ToDouble(number, CultureInfo.InvariantCulture));
                    stream.Write(scratch[..8]);
                    break;
                case "SV":
                    BinaryPrimitives.WriteInt64LittleEndian(scratch, Convert.ToInt64(number, CultureInfo.InvariantCulture));
                    stream.Write(scratch[..8]);
                    break;
                case "UV" or "OV":
                    BinaryPrimitives.WriteUInt64LittleEndian(scratch, Convert.ToUInt64(number, CultureInfo.InvariantCulture));
                    stream.Write(scratch[..8]);
                    break;
                default:
                    stream.WriteByte(Convert.ToByte(number, CultureInfo.InvariantCulture));
                    break;
            }
        }
        return Add(new DicomValueElement(tag, vr, DicomBuffer.FromBytes(Pad(stream.ToArray(), vr))));
    }

    /// <summary>Sets a binary value (OB, OW, UN…) from little endian bytes.</summary>
    public DicomDataset SetBytes(DicomTag tag, DicomVR vr, ReadOnlyMemory<byte> bytes) =>
        Add(new DicomValueElement(tag, vr, DicomBuffer.FromBytes(bytes.Length % 2 == 1 ? Pad(bytes.ToArray(), vr) : bytes)));

    public DicomDataset SetDate(DicomTag tag, DateOnly date) => SetString(tag, DicomVR.DA, date.ToString("yyyyMMdd", CultureInfo.InvariantCulture));

    public DicomDataset SetTime(DicomTag tag, TimeOnly time) => SetString(tag, DicomVR.TM, DicomDateTime.FormatTime(time));

    public DicomDataset SetDateTime(DicomTag tag, DateTimeOffset dateTime) => SetString(tag, DicomVR.DT, DicomDateTime.FormatDateTime(dateTime));

    public DicomDataset SetPersonName(DicomTag tag, DicomPersonName name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return SetString(tag, DicomVR.PN, name.ToString());
    }

    public DicomDataset SetUid(DicomTag tag, DicomUid uid)
    {
        ArgumentNullException.ThrowIfNull(uid);
        return SetString(tag, DicomVR.UI, uid.Value);
    }

    public DicomDataset SetUid(DicomTag tag, string uid) => SetString(tag, DicomVR.UI, uid);

    // ---- private tags (PS3.5 §7.8) ----

    /// <summary>The creator that reserved the block of a private element, e.g. "SIEMENS CSA HEADER" for (0029,1010).</summary>
    public string? GetPrivateCreator(DicomTag tag) =>
        tag.IsPrivate && !tag.IsPrivateCreator && !tag.IsGroupLength && TryGetString(tag.PrivateCreatorTag, out var creator) ? creator.Trim() : null;

    /// <summary>Finds the tag of element <paramref name="elementOffset"/> in <paramref name="creator"/>'s block, if reserved.</summary>
    public bool TryGetPrivateTag(ushort group, string creator, byte elementOffset, out DicomTag tag)
    {
        ArgumentNullException.ThrowIfNull(creator);
        for (ushort block = 0x10; block <= 0xFF; block++)
        {
            if (TryGetString(new DicomTag(group, block), out var reserved) && reserved.Trim() == creator)
            {
                tag = new DicomTag(group, (ushort)((block << 8) | elementOffset));
                return true;
            }
        }
        tag = default;
        return false;
    }

    /// <summary>The tag of a private element, reserving a block for <paramref name="creator"/> in the first free creator slot if needed.</summary>
    public DicomTag ReservePrivateTag(ushort group, string creator, byte elementOffset)
    {
        if ((group & 1) == 0 || group <= 0x0008)
        {
            throw new ArgumentOutOfRangeException(nameof(group), $"group {group:X4} is not a private group");
        }
        if (TryGetPrivateTag(group, creator, elementOffset, out var tag))
        {
            return tag;
        }
        for (ushort block = 0x10; block <= 0xFF; block++)
        {
            var slot = new DicomTag(group, block);
            if (!Contains(slot))
            {
                SetString(slot, DicomVR.LO, creator);
                return new DicomTag(group, (ushort)((block << 8) | elementOffset));
            }
        }
        throw new InvalidOperationException($"all 240 private blocks of group {group:X4} are reserved");
    }

    private DicomVR VROf(DicomTag tag)
    {
        var creator = GetPrivateCreator(tag);
        var vr = DicomDictionary.ImplicitVR(tag, creator);
        return vr == DicomVR.UN && tag.IsPrivate && !tag.IsPrivateCreator
            ? throw new ArgumentException($"the VR of private element {tag} is unknown: pass it explicitly", nameof(tag))
            : vr;
    }

    private static byte[] Pad(byte[] bytes, DicomVR vr)
    {
        if (bytes.Length % 2 == 0)
        {
            return bytes;
        }
        var padded = new byte[bytes.Length + 1];
        bytes.CopyTo(padded, 0);
        padded[^1] = vr.PaddingByte;
        return padded;
    }
}
