namespace Cl2.Dicom.Imaging;

/// <summary>The defined terms of Photometric Interpretation (0028,0004), PS3.3 §C.7.6.3.1.2.</summary>
public static class PhotometricInterpretation
{
    public const string Monochrome1 = "MONOCHROME1";
    public const string Monochrome2 = "MONOCHROME2";
    public const string PaletteColor = "PALETTE COLOR";
    public const string Rgb = "RGB";
    public const string YbrFull = "YBR_FULL";
    public const string YbrFull422 = "YBR_FULL_422";
    public const string YbrPartial420 = "YBR_PARTIAL_420";
    public const string YbrIct = "YBR_ICT";
    public const string YbrRct = "YBR_RCT";

    public static bool IsMonochrome(string value) => value is Monochrome1 or Monochrome2;

    public static bool IsYbr(string value) => value.StartsWith("YBR_", StringComparison.Ordinal);
}
