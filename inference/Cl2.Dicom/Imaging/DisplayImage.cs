namespace Cl2.Dicom.Imaging;

/// <summary>An 8-bit image ready for a screen: one channel (grey) or three (RGB, colour-by-pixel), row by row.</summary>
public sealed record DisplayImage(int Rows, int Columns, int Channels, byte[] Pixels);
