namespace Cl2.Dicom.Imaging;

/// <summary>
/// Decodes the pixel data of one transfer syntax. <c>frame</c> is everything the syntax stores for one frame: for an
/// encapsulated syntax the concatenated fragments of that frame (PS3.5 §A.4), for a native one the frame's bytes.
/// </summary>
public interface IPixelDataCodec
{
    /// <summary>The transfer syntax UIDs this codec decodes.</summary>
    IReadOnlyList<string> TransferSyntaxUids { get; }

    PixelFrame Decode(ReadOnlySpan<byte> frame, ImagePixelModule format);
}

/// <summary>A codec that can also write its transfer syntax.</summary>
public interface IPixelDataEncoder : IPixelDataCodec
{
    /// <summary>The encoded frame; the caller wraps it as one fragment.</summary>
    byte[] Encode(PixelFrame frame);
}
