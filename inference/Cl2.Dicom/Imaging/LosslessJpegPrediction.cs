namespace Cl2.Dicom.Imaging;

/// <summary>
/// Repairs JpegLibrary 0.4.32's lossless output for predictors 2, 3, 6 and 7. ITU-T T.81 §H.1.2.1 predicts the first row
/// from the sample to the left; JpegLibrary applies the selected predictor there with zeros for the row above, so the
/// first row and everything predicted from it comes out wrong (predictors 1, 4 and 5 reduce to "left" and are unaffected).
/// Each difference is recovered from JpegLibrary's prediction and re-applied to the standard's, modulo 2^P.
/// </summary>
internal static class LosslessJpegPrediction
{
    public static bool NeedsRepair(int predictor) => predictor is >= 2 and <= 7;

    /// <summary>The predictor (Ss), point transform (Al) and whether restart intervals are used, from the stream's markers.</summary>
    public static (int Predictor, int PointTransform, bool Restarts) ReadScanParameters(ReadOnlySpan<byte> stream)
    {
        var restarts = false;
        for (var i = 2; i + 4 < stream.Length;)
        {
            if (stream[i] != 0xFF)
            {
                i++;
                continue;
            }
            var marker = stream[i + 1];
            var length = (stream[i + 2] << 8) | stream[i + 3];
            if (marker == 0xDD && i + 7 < stream.Length)
            {
                restarts = ((stream[i + 4] << 8) | stream[i + 5]) != 0;
            }
            if (marker == 0xDA)
            {
                var components = stream[i + 4];
                var parameters = i + 5 + (2 * components);
                if (parameters + 2 >= stream.Length)
                {
                    break;
                }
                return (stream[parameters], stream[parameters + 2] & 0x0F, restarts);
            }
            i += 2 + length;
        }
        throw new PixelDataException("lossless JPEG stream has no start of scan (SOS) marker");
    }

    public static void Repair(int[] plane, int width, int height, int predictor, int precision)
    {
        var modulus = 1 << precision;
        var half = 1 << (precision - 1);
        var decoded = (int[])plane.Clone();
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = (y * width) + x;
                if (x == 0)
                {
                    // The first sample and the first column were predicted as the standard says.
                    continue;
                }
                int wrong, right;
                if (y == 0)
                {
                    wrong = Predict(predictor, Signed(decoded[i - 1]), half, half);
                    right = plane[i - 1];
                }
                else
                {
                    wrong = Predict(predictor, Signed(decoded[i - 1]), Signed(decoded[i - width]), Signed(decoded[i - width - 1]));
                    right = Predict(predictor, plane[i - 1], plane[i - width], plane[i - width - 1]);
                }
                var difference = decoded[i] - wrong;
                plane[i] = (((difference + right) % modulus) + modulus) % modulus;
            }
            if (y > 0)
            {
                var first = y * width;
                var difference = decoded[first] - decoded[first - width];
                plane[first] = (((difference + plane[first - width]) % modulus) + modulus) % modulus;
            }
        }
    }

    /// <summary>JpegLibrary keeps samples in a short, so a 16-bit sample of 32768 or more enters its predictor negative.</summary>
    private static int Signed(int sample) => sample >= 32768 ? sample - 65536 : sample;

    private static int Predict(int predictor, int a, int b, int c) => predictor switch
    {
        1 => a,
        2 => b,
        3 => c,
        4 => a + b - c,
        5 => a + ((b - c) >> 1),
        6 => b + ((a - c) >> 1),
        _ => (a + b) >> 1,
    };
}
