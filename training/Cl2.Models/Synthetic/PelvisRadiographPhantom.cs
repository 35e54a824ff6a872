namespace Cl2.Models.Synthetic;

/// <summary>One AP pelvis radiograph: 12-bit pixel values (row-major, bone bright) and whether a femoral neck is fractured.</summary>
/// <param name="FracturedSide">"R" or "L" (the patient's side) when <paramref name="Fracture"/>, else null.</param>
public sealed record HipXrayCase(int Rows, int Columns, double PixelSpacing, ushort[] Pixels, bool Fracture, string? FracturedSide);

/// <summary>
/// An AP pelvis projection: soft tissue, iliac wings, sacrum, pubic rami around the obturator foramina, and both
/// proximal femurs (head, neck, greater trochanter, shaft) drawn as projected cylinders whose cortex shows as bright
/// edges, with trabecular texture. In about half of the cases one femoral neck has a fracture: a thin lucent line across
/// the neck at a random place and angle, with a sclerotic (impacted) band beside it in some. Pose, exposure and noise vary.
/// The viewer's left is the patient's right, as on a real AP film.
/// </summary>
public static class PelvisRadiographPhantom
{
    private const double FieldOfViewMm = 380;

    private readonly record struct Capsule(double X0, double Y0, double X1, double Y1, double Radius)
    {
        /// <summary>Distance from the axis segment, and where along it (0…1) the nearest point lies.</summary>
        public (double Distance, double Along) Measure(double x, double y)
        {
            double dx = X1 - X0, dy = Y1 - Y0;
            var t = Math.Clamp((((x - X0) * dx) + ((y - Y0) * dy)) / ((dx * dx) + (dy * dy)), 0, 1);
            double nx = X0 + (t * dx) - x, ny = Y0 + (t * dy) - y;
            return (Math.Sqrt((nx * nx) + (ny * ny)), t);
        }
    }

    public static HipXrayCase Generate(int seed, int caseIndex, int size)
    {
        if (size < 32)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "a radiograph needs at least 32 pixels a side");
        }
        var noise = new PhantomNoise(PhantomNoise.CaseSeed(seed, caseIndex, 3));
        var fracture = caseIndex % 2 == 1;
        var fracturedSide = noise.Chance(0.5) ? 1 : -1; // +1: the viewer's right, the patient's left
        var angle = noise.Uniform(-5, 5) * Math.PI / 180;
        var zoom = noise.Uniform(0.92, 1.08);
        var (shiftX, shiftY) = (noise.Uniform(-0.05, 0.05), noise.Uniform(-0.05, 0.05));
        var exposure = noise.Uniform(0.85, 1.15);
        var neckAngle = noise.Uniform(0.55, 0.75); // radians below horizontal, the neck-shaft angle's complement
        var fractureAlong = noise.Uniform(0.3, 0.75);
        var fractureTilt = noise.Uniform(-0.5, 0.5);
        var sclerotic = noise.Chance(0.5);
        var (textureX, textureY) = (noise.Uniform(0, 6.3), noise.Uniform(0, 6.3));

        var femurs = new[] { -1, 1 }.Select(side =>
        {
            double headX = side * 0.4, headY = 0.04;
            double neckLength = 0.3;
            double trochanterX = headX + (side * neckLength * Math.Cos(neckAngle)), trochanterY = headY + (neckLength * Math.Sin(neckAngle));
            return (Side: side, HeadX: headX, HeadY: headY,
                Neck: new Capsule(headX, headY, trochanterX, trochanterY, 0.07),
                Shaft: new Capsule(trochanterX - (side * 0.02), trochanterY + 0.04, trochanterX - (side * 0.06), 1.2, 0.085),
                Trochanter: new Capsule(trochanterX + (side * 0.04), trochanterY - 0.03, trochanterX + (side * 0.03), trochanterY + 0.05, 0.06));
        }).ToArray();

        var pixels = new ushort[size * size];
        for (var row = 0; row < size; row++)
        {
            for (var column = 0; column < size; column++)
            {
                // Image position → anatomy position: undo the pose.
                double u = (((column + 0.5) / size * 2) - 1 - shiftX) / zoom, v = (((row + 0.5) / size * 2) - 1 - shiftY) / zoom;
                double x = (u * Math.Cos(angle)) + (v * Math.Sin(angle)), y = (-u * Math.Sin(angle)) + (v * Math.Cos(angle));
                var soft = Ring(x, y - 0.1, 0.98, 1.2) * 0.22;
                var bone = 0.0;
                bone = Math.Max(bone, Annulus(x - 0.42, y + 0.5, 0.36, 0.3, 0.09) * 0.28); // iliac wings
                bone = Math.Max(bone, Annulus(x + 0.42, y + 0.5, 0.36, 0.3, 0.09) * 0.28);
                bone = Math.Max(bone, Ring(x, y + 0.35, 0.14, 0.32) * 0.24); // sacrum
                bone = Math.Max(bone, Annulus(x - 0.2, y - 0.38, 0.15, 0.11, 0.045) * 0.34); // pubic rami
                bone = Math.Max(bone, Annulus(x + 0.2, y - 0.38, 0.15, 0.11, 0.045) * 0.34);
                foreach (var femur in femurs)
                {
                    var femurBone = Math.Max(Cylinder(Math.Sqrt(Square(x - femur.HeadX) + Square(y - femur.HeadY)), 0.13),
                        Math.Max(Cylinder(femur.Neck.Measure(x, y).Distance, femur.Neck.Radius),
                            Math.Max(Cylinder(femur.Shaft.Measure(x, y).Distance, femur.Shaft.Radius),
                                Cylinder(femur.Trochanter.Measure(x, y).Distance, femur.Trochanter.Radius))));
                    if (fracture && femur.Side == fracturedSide && femurBone > 0)
                    {
                        var (distance, along) = femur.Neck.Measure(x, y);
                        if (distance < femur.Neck.Radius * 1.05)
                        {
                            // Distance to the fracture line, which crosses the neck axis at 'fractureAlong', tilted.
                            double ax = femur.Neck.X1 - femur.Neck.X0, ay = femur.Neck.Y1 - femur.Neck.Y0;
                            var length = Math.Sqrt((ax * ax) + (ay * ay));
                            double cx = femur.Neck.X0 + (fractureAlong * ax), cy = femur.Neck.Y0 + (fractureAlong * ay);
                            double nx = (ax / length) + (fractureTilt * -ay / length), ny = (ay / length) + (fractureTilt * ax / length);
                            var normalLength = Math.Sqrt((nx * nx) + (ny * ny));
                            var offset = (((x - cx) * nx) + ((y - cy) * ny)) / normalLength;
                            if (Math.Abs(offset) < 0.022)
                            {
                                femurBone *= 0.15;
                            }
                            else if (sclerotic && offset > 0 && offset < 0.04)
                            {
                                femurBone *= 1.35;
                            }
                        }
                    }
                    bone = Math.Max(bone, femurBone * 0.5);
                }
                var texture = bone > 0 ? 0.04 * Math.Sin((90 * x) + textureX) * Math.Sin((80 * y) + textureY) : 0;
                var value = (0.06 + soft + bone + texture) * exposure + (0.015 * noise.Gaussian());
                pixels[(row * size) + column] = (ushort)Math.Clamp(Math.Round(value * 4095), 0, 4095);
            }
        }
        return new HipXrayCase(size, size, FieldOfViewMm / size, pixels, fracture, fracture ? (fracturedSide > 0 ? "L" : "R") : null);
    }

    private static double Square(double value) => value * value;

    /// <summary>A cylinder of radius r seen side-on: its path length through bone, with the cortex adding a bright edge.</summary>
    private static double Cylinder(double distance, double radius)
    {
        if (distance >= radius)
        {
            return 0;
        }
        var ratio = distance / radius;
        return (0.6 * Math.Sqrt(1 - (ratio * ratio))) + (ratio > 0.78 ? 0.5 : 0);
    }

    /// <summary>1 inside an ellipse of radii a, b; soft outside up to a fifth beyond.</summary>
    private static double Ring(double x, double y, double a, double b)
    {
        var level = Math.Sqrt(Square(x / a) + Square(y / b));
        return level < 1 ? 1 : Math.Max(0, 1 - ((level - 1) * 5));
    }

    /// <summary>A band of half-width w around an ellipse of radii a, b, brightest on the ellipse.</summary>
    private static double Annulus(double x, double y, double a, double b, double w)
    {
        var level = Math.Sqrt(Square(x / a) + Square(y / b));
        var distance = Math.Abs(level - 1) * Math.Min(a, b);
        return distance < w ? 1 - (distance / w * 0.5) : 0;
    }
}
