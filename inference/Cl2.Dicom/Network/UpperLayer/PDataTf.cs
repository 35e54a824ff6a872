namespace Cl2.Dicom.Network.UpperLayer;

/// <summary>One Presentation Data Value item of P-DATA-TF (PS3.8 9.3.5.1, message control header in Annex E.2).
/// Data read from the network is a slice of the reader's buffer, valid until the next PDU is read.</summary>
public readonly record struct PresentationDataValue(byte PresentationContextId, bool IsCommand, bool IsLastFragment, ReadOnlyMemory<byte> Data)
{
    /// <summary>Item length (4) + presentation context id (1) + message control header (1).</summary>
    public const int HeaderLength = 6;

    private const byte CommandBit = 0x01;
    private const byte LastFragmentBit = 0x02;

    public byte MessageControlHeader => (byte)((IsCommand ? CommandBit : 0) | (IsLastFragment ? LastFragmentBit : 0));

    public static (bool IsCommand, bool IsLast) DecodeMessageControlHeader(byte header) =>
        ((header & CommandBit) != 0, (header & LastFragmentBit) != 0);

    /// <summary>Only the two low bits are defined; the rest must be zero.</summary>
    public static bool IsValidMessageControlHeader(byte header) => (header & ~(CommandBit | LastFragmentBit)) == 0;
}

/// <summary>P-DATA-TF PDU (PS3.8 9.3.5).</summary>
public sealed record PDataTf(IReadOnlyList<PresentationDataValue> Values) : Pdu
{
    public override PduType Type => PduType.PDataTf;
}
