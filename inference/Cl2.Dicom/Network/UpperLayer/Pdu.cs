namespace Cl2.Dicom.Network.UpperLayer;

/// <summary>A protocol data unit of the DICOM upper layer (PS3.8 9.3).</summary>
public abstract record Pdu
{
    public abstract PduType Type { get; }

    /// <summary>PDU header: type (1), reserved (1), length (4, big endian).</summary>
    public const int HeaderLength = 6;
}
