namespace Cl2.Dicom.Imaging;

/// <summary>
/// YBR_FULL to RGB (PS3.3 §C.7.6.3.1.2, the JFIF equations), in 16-bit fixed point with round-half-up as libjpeg computes
/// it, so that JPEG output agrees with DCMTK's sample for sample.
/// </summary>
public static class YbrConversion
{
    private const int ScaleBits = 16;
    private const int Half = 1 << (ScaleBits - 1);
    private static readonly int CrToR = Fix(1.40200);
    private static readonly int CbToG = Fix(0.34414);
    private static readonly int CrToG = Fix(0.71414);
    private static readonly int CbToB = Fix(1.77200);

    private static int Fix(double value) => (int)((value * (1 << ScaleBits)) + 0.5);

    public static (int R, int G, int B) ToRgb(int y, int cb, int cr, int precision = 8)
    {
        var center = 1 << (precision - 1);
        var maximum = (1 << precision) - 1;
        cb -= center;
        cr -= center;
        var r = y + (((CrToR * cr) + Half) >> ScaleBits);
        var g = y + (((-CbToG * cb) - (CrToG * cr) + Half) >> ScaleBits);
        var b = y + (((CbToB * cb) + Half) >> ScaleBits);
        return (Math.Clamp(r, 0, maximum), Math.Clamp(g, 0, maximum), Math.Clamp(b, 0, maximum));
    }

    /// <summary>Converts three full-resolution planes; afterwards they hold R, G and B.</summary>
    public static void ToRgbInPlace(int[] y, int[] cb, int[] cr, int precision)
    {
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(cb);
        ArgumentNullException.ThrowIfNull(cr);
        for (var i = 0; i < y.Length; i++)
        {
            (y[i], cb[i], cr[i]) = ToRgb(y[i], cb[i], cr[i], precision);
        }
    }
}
