namespace Cl2.Dicom.Imaging;

/// <summary>
/// Brings subsampled JPEG chroma back to full resolution the way libjpeg's default "fancy" upsampling does: a triangle
/// filter (weights 3:1 towards the nearer sample) for 2:1 horizontal and 2:1 horizontal-and-vertical, replication for any
/// other ratio. Matching it keeps our colour output within ±1 of DCMTK's, which uses libjpeg.
/// </summary>
internal static class ChromaUpsampling
{
    public static int[] Upsample(JpegCodec.ComponentPlanes planes, int component, int horizontalFactor, int verticalFactor,
        int horizontalSampling, int verticalSampling, int maximumHorizontal, int maximumVertical)
    {
        if ((horizontalFactor, verticalFactor) is not ((2, 1) or (2, 2)))
        {
            // JpegLibrary already replicates each subsampled block to full size.
            return planes.Crop(component);
        }
        int width = planes.Width, height = planes.Height;
        var componentWidth = ((width * horizontalSampling) + maximumHorizontal - 1) / maximumHorizontal;
        var componentHeight = ((height * verticalSampling) + maximumVertical - 1) / maximumVertical;
        var source = planes.Planes[component];
        int Sample(int x, int y) => source[(y * verticalFactor * planes.Stride) + (x * horizontalFactor)];

        var result = new int[width * height];
        var columnSums = new int[componentWidth];
        for (var y = 0; y < height; y++)
        {
            var row = y / verticalFactor;
            if (verticalFactor == 2)
            {
                // The nearer input row weighs 3, the other 1; rows past the edge repeat the edge row.
                var far = y % 2 == 0 ? Math.Max(row - 1, 0) : Math.Min(row + 1, componentHeight - 1);
                for (var x = 0; x < componentWidth; x++)
                {
                    columnSums[x] = (3 * Sample(x, row)) + Sample(x, far);
                }
            }
            for (var x = 0; x < componentWidth; x++)
            {
                int left, right;
                if (verticalFactor == 2)
                {
                    var sum = columnSums[x];
                    left = x == 0 ? ((sum * 4) + 8) >> 4 : ((sum * 3) + columnSums[x - 1] + 8) >> 4;
                    right = x == componentWidth - 1 ? ((sum * 4) + 7) >> 4 : ((sum * 3) + columnSums[x + 1] + 7) >> 4;
                }
                else
                {
                    var value = Sample(x, row);
                    left = x == 0 ? value : ((value * 3) + Sample(x - 1, row) + 1) >> 2;
                    right = x == componentWidth - 1 ? value : ((value * 3) + Sample(x + 1, row) + 2) >> 2;
                }
                if (2 * x < width)
                {
                    result[(y * width) + (2 * x)] = left;
                }
                if ((2 * x) + 1 < width)
                {
                    result[(y * width) + (2 * x) + 1] = right;
                }
            }
        }
        return result;
    }
}
