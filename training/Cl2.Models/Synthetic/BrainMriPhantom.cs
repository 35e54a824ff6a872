namespace Cl2.Models.Synthetic;

/// <summary>One brain MRI case: four co-registered sequences on one grid and BraTS labels.</summary>
/// <param name="Sequences">Signal per voxel for <see cref="BrainMriPhantom.SequenceNames"/>, in that order.</param>
/// <param name="Labels">BraTS labels: 0 background, 1 necrotic core, 2 oedema, 4 enhancing tumour.</param>
public sealed record BrainMriCase(VolumeGrid Grid, IReadOnlyList<ushort[]> Sequences, byte[] Labels);

/// <summary>
/// A head in an axial MRI grid: scalp fat, skull, grey and white matter, ventricles, and a glioma with a necrotic core,
/// an enhancing rim and oedema placed in one hemisphere. Each tissue has its own signal per sequence — fat bright on
/// T1, CSF bright on T2 and dark on FLAIR, the rim bright on T1c around a dark necrosis, oedema bright on T2 and FLAIR —
/// then a smooth bias field per sequence and Rician noise, as a magnitude image has.
/// </summary>
public static class BrainMriPhantom
{
    public const byte NecroticCore = 1;
    public const byte Oedema = 2;
    public const byte EnhancingTumour = 4;

    public static IReadOnlyList<string> SequenceNames { get; } = ["T1", "T1c", "T2", "FLAIR"];

    private enum Tissue { Air, Scalp, Skull, GreyMatter, WhiteMatter, Csf, Oedema, Enhancing, Necrosis }

    // Signal of each tissue (rows in Tissue order) in T1, T1c, T2, FLAIR: arbitrary units of a 12-bit scanner.
    private static readonly double[,] Signal =
    {
        { 0, 0, 0, 0 },
        { 900, 900, 600, 650 },
        { 80, 80, 90, 80 },
        { 450, 470, 620, 560 },
        { 620, 640, 450, 420 },
        { 180, 190, 1100, 110 },
        { 400, 420, 880, 930 },
        { 460, 1150, 680, 720 },
        { 230, 210, 980, 520 },
    };

    public static BrainMriCase Generate(int seed, int caseIndex, int size)
    {
        if (size < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "a brain volume needs at least 16 voxels a side");
        }
        var noise = new PhantomNoise(PhantomNoise.CaseSeed(seed, caseIndex, 1));
        var grid = VolumeGrid.Centred(size, size, size, 180, 230, 190);
        var head = new Ellipsoid(0, 0, 0, noise.Uniform(0.86, 0.94), noise.Uniform(0.9, 0.97), noise.Uniform(0.86, 0.94));
        var brain = head with { RadiusX = head.RadiusX * 0.84, RadiusY = head.RadiusY * 0.86, RadiusZ = head.RadiusZ * 0.84 };
        var skull = head with { RadiusX = head.RadiusX * 0.93, RadiusY = head.RadiusY * 0.94, RadiusZ = head.RadiusZ * 0.93 };
        var ventricleSize = noise.Uniform(0.8, 1.2);
        var leftVentricle = new Ellipsoid(0.1, -0.05, 0.05, 0.06 * ventricleSize, 0.24 * ventricleSize, 0.12 * ventricleSize);
        var rightVentricle = leftVentricle with { CentreX = -0.1 };
        var side = noise.Chance(0.5) ? 1 : -1;
        var tumourX = side * noise.Uniform(0.25, 0.42);
        var tumourY = noise.Uniform(-0.35, 0.35);
        var tumourZ = noise.Uniform(-0.25, 0.3);
        var wholeRadius = noise.Uniform(0.24, 0.34);
        var coreRadius = wholeRadius * noise.Uniform(0.5, 0.68);
        var necrosisRadius = coreRadius * noise.Uniform(0.4, 0.6);
        var (phase1, phase2, phase3) = (noise.Uniform(0, 6.3), noise.Uniform(0, 6.3), noise.Uniform(0, 6.3));
        var bias = new double[4, 5];
        for (var s = 0; s < 4; s++)
        {
            for (var k = 0; k < 5; k++)
            {
                bias[s, k] = noise.Uniform(-0.12, 0.12);
            }
        }

        var labels = new byte[grid.Voxels];
        var sequences = Enumerable.Range(0, 4).Select(_ => new ushort[grid.Voxels]).ToArray();
        for (var z = 0; z < grid.Depth; z++)
        {
            for (var y = 0; y < grid.Height; y++)
            {
                for (var x = 0; x < grid.Width; x++)
                {
                    var i = (((z * grid.Height) + y) * grid.Width) + x;
                    var (px, py, pz) = grid.Normalised(z, y, x);
                    var tissue = Tissue.Air;
                    if (head.Contains(px, py, pz))
                    {
                        tissue = Tissue.Scalp;
                    }
                    if (skull.Contains(px, py, pz))
                    {
                        tissue = Tissue.Skull;
                    }
                    var brainLevel = brain.Level(px, py, pz);
                    if (brainLevel < 1)
                    {
                        // Cortex: an outer shell of grey matter, thicker where a slow wave says so (gyri, roughly).
                        var cortex = 0.7 + (0.06 * Math.Sin((9 * px) + (7 * pz)) * Math.Cos(8 * py));
                        tissue = brainLevel > cortex ? Tissue.GreyMatter : Tissue.WhiteMatter;
                        if (leftVentricle.Contains(px, py, pz) || rightVentricle.Contains(px, py, pz))
                        {
                            tissue = Tissue.Csf;
                        }
                        double dx = px - tumourX, dy = py - tumourY, dz = pz - tumourZ;
                        var distance = Math.Sqrt((dx * dx) + (dy * dy) + (dz * dz));
                        var direction = distance == 0 ? (0.0, 0.0, 0.0) : (dx / distance, dy / distance, dz / distance);
                        // An irregular outline: the radius varies with direction by up to about a fifth.
                        var lobes = 1 + (0.12 * Math.Sin((3 * direction.Item1) + phase1)) + (0.1 * Math.Cos((4 * direction.Item2) + phase2))
                            + (0.06 * Math.Sin((5 * direction.Item3) + phase3));
                        if (distance < necrosisRadius * lobes)
                        {
                            tissue = Tissue.Necrosis;
                            labels[i] = NecroticCore;
                        }
                        else if (distance < coreRadius * lobes)
                        {
                            tissue = Tissue.Enhancing;
                            labels[i] = EnhancingTumour;
                        }
                        else if (distance < wholeRadius * (1 + (0.15 * Math.Sin((2 * direction.Item1) + phase3)) + (0.1 * Math.Cos((3 * direction.Item3) + phase1))))
                        {
                            tissue = Tissue.Oedema;
                            labels[i] = Oedema;
                        }
                    }
                    for (var s = 0; s < 4; s++)
                    {
                        var field = 1 + (bias[s, 0] * px) + (bias[s, 1] * py) + (bias[s, 2] * pz) + (bias[s, 3] * ((px * px) + (py * py))) + (bias[s, 4] * pz * pz);
                        var value = Signal[(int)tissue, s] * field;
                        // Magnitude of a complex signal with Gaussian noise in both channels: Rician, never negative.
                        double real = value + (25 * noise.Gaussian()), imaginary = 25 * noise.Gaussian();
                        sequences[s][i] = (ushort)Math.Clamp(Math.Round(Math.Sqrt((real * real) + (imaginary * imaginary))), 0, 4095);
                    }
                }
            }
        }
        return new BrainMriCase(grid, sequences, labels);
    }
}
