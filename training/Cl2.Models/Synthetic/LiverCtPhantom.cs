namespace Cl2.Models.Synthetic;

/// <summary>One abdominal CT case: Hounsfield units per voxel and labels 0 background, 1 liver, 2 liver lesion.</summary>
public sealed record LiverCtCase(VolumeGrid Grid, short[] HounsfieldUnits, byte[] Labels);

/// <summary>
/// An abdomen in an axial CT grid, unenhanced: air −1000 HU around a body of subcutaneous fat (−100) and a muscle wall,
/// a liver of 50–70 HU filling the right upper quadrant with a left lobe reaching across the midline, the spleen
/// (about 45), two kidneys (about 30), a vertebral body (cortex about 700, marrow about 250) with the aorta in front,
/// gas in the bowel, and zero to three hypodense lesions (15–35 HU) in the liver; then Gaussian noise of about 12 HU.
/// </summary>
public static class LiverCtPhantom
{
    public const byte Liver = 1;
    public const byte Lesion = 2;

    public static LiverCtCase Generate(int seed, int caseIndex, int size)
    {
        if (size < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "an abdominal volume needs at least 16 voxels a side");
        }
        var noise = new PhantomNoise(PhantomNoise.CaseSeed(seed, caseIndex, 2));
        var grid = VolumeGrid.Centred(size, size, size, 240, 380, 380);
        var body = new Ellipsoid(0, noise.Uniform(-0.05, 0.05), 0, noise.Uniform(0.82, 0.92), noise.Uniform(0.6, 0.7), 40);
        var wall = body with { RadiusX = body.RadiusX - 0.07, RadiusY = body.RadiusY - 0.07 };
        var cavity = wall with { RadiusX = wall.RadiusX - 0.04, RadiusY = wall.RadiusY - 0.04 };
        var scale = noise.Uniform(0.88, 1.12);
        var liverRight = new Ellipsoid(noise.Uniform(-0.45, -0.35), noise.Uniform(-0.05, 0.05), noise.Uniform(0.05, 0.2),
            0.36 * scale, 0.42 * scale, 0.55 * scale);
        var liverLeftLobe = new Ellipsoid(liverRight.CentreX + 0.38, liverRight.CentreY - 0.2, liverRight.CentreZ + 0.15,
            0.3 * scale, 0.16 * scale, 0.3 * scale);
        var liverHu = noise.Uniform(52, 68);
        var spleen = new Ellipsoid(noise.Uniform(0.5, 0.6), noise.Uniform(0.15, 0.25), noise.Uniform(0.1, 0.3), 0.14, 0.22, 0.3);
        var kidneyZ = noise.Uniform(-0.35, -0.15);
        var rightKidney = new Ellipsoid(-0.3, 0.38, kidneyZ, 0.12, 0.16, 0.3);
        var leftKidney = rightKidney with { CentreX = 0.3, CentreZ = kidneyZ + 0.08 };
        var vertebra = new Ellipsoid(0, 0.45, 0, 0.13, 0.12, 40);
        var marrow = vertebra with { RadiusX = 0.1, RadiusY = 0.09 };
        var aorta = new Ellipsoid(0.06, 0.25, 0, 0.055, 0.055, 40);
        var gas = Enumerable.Range(0, noise.Integer(2, 6))
            .Select(_ => new Ellipsoid(noise.Uniform(-0.1, 0.4), noise.Uniform(-0.4, 0.1), noise.Uniform(-0.9, 0.2), 0.07, 0.06, 0.1))
            .ToArray();
        var lesions = new List<(Ellipsoid Shape, double Hu)>();
        for (var attempts = noise.Integer(0, 4); lesions.Count < attempts;)
        {
            var radius = noise.Uniform(0.06, 0.12);
            var lesion = new Ellipsoid(liverRight.CentreX + noise.Uniform(-0.15, 0.15), liverRight.CentreY + noise.Uniform(-0.2, 0.2),
                liverRight.CentreZ + noise.Uniform(-0.25, 0.25), radius, radius * noise.Uniform(0.8, 1.2), radius * noise.Uniform(0.8, 1.2));
            lesions.Add((lesion, noise.Uniform(15, 35)));
        }

        var hu = new short[grid.Voxels];
        var labels = new byte[grid.Voxels];
        for (var z = 0; z < grid.Depth; z++)
        {
            for (var y = 0; y < grid.Height; y++)
            {
                for (var x = 0; x < grid.Width; x++)
                {
                    var i = (((z * grid.Height) + y) * grid.Width) + x;
                    var (px, py, pz) = grid.Normalised(z, y, x);
                    double value = -1000;
                    if (body.Contains(px, py, pz))
                    {
                        value = -100;
                    }
                    if (wall.Contains(px, py, pz))
                    {
                        value = 50;
                    }
                    if (cavity.Contains(px, py, pz))
                    {
                        // Mesentery and bowel: fat with soft-tissue strands.
                        value = -60 + (50 * Math.Sin(13 * px) * Math.Sin(11 * py) * Math.Cos(5 * pz));
                        if (gas.Any(g => g.Contains(px, py, pz)))
                        {
                            value = -950;
                        }
                        if (rightKidney.Contains(px, py, pz) || leftKidney.Contains(px, py, pz))
                        {
                            value = 30;
                        }
                        if (spleen.Contains(px, py, pz))
                        {
                            value = 45;
                        }
                        if (aorta.Contains(px, py, pz))
                        {
                            value = 40;
                        }
                        if (liverRight.Contains(px, py, pz) || liverLeftLobe.Contains(px, py, pz))
                        {
                            value = liverHu;
                            labels[i] = Liver;
                            foreach (var (shape, lesionHu) in lesions)
                            {
                                if (shape.Contains(px, py, pz))
                                {
                                    value = lesionHu;
                                    labels[i] = Lesion;
                                }
                            }
                        }
                    }
                    if (vertebra.Contains(px, py, pz))
                    {
                        value = marrow.Contains(px, py, pz) ? 250 : 700;
                    }
                    hu[i] = (short)Math.Clamp(Math.Round(value + (12 * noise.Gaussian())), -1024, 3071);
                }
            }
        }
        return new LiverCtCase(grid, hu, labels);
    }
}
