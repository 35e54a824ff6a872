namespace Cl2.Dicom.Imaging;

/// <summary>Pixel data that cannot be decoded: a malformed stream, an unsupported syntax, or attributes that contradict it.</summary>
public sealed class PixelDataException : Exception
{
    public PixelDataException()
    {
    }

    public PixelDataException(string message) : base(message)
    {
    }

    public PixelDataException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
