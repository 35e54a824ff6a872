using System.Formats.Tar;
using System.Text.Json;
using Cl2.Labeling.Labels;

namespace Cl2.Labeling.Shadow;

/// <summary>
/// How far a shadow's output agrees with a radiologist's corrected label, both blobs in the label formats the training
/// worker reads (docs/training.md): a segmentation is a tar of <c>labels.json</c> (shape, voxel value → label name) and
/// the one-byte-per-voxel data file it names; a classification is <c>cl2-classification/1</c> JSON with a true/false per
/// label. Per label name: the Dice of the voxels each marks with it (1 when neither marks one), or 1 when both decided
/// the same and 0 when not. Only shape, names and voxels are read here; the worker checks the rest of the geometry.
/// </summary>
public static class LabelBlobAgreement
{
    public static ShadowAgreementWithFeedback Of(LabelKind kind, byte[] correction, byte[] shadow)
    {
        try
        {
            return kind switch
            {
                LabelKind.Segmentation => Segmentation(ReadMask(correction), ReadMask(shadow)),
                LabelKind.Classification => Classification(ReadClasses(correction), ReadClasses(shadow)),
                _ => new([], $"a {kind} correction is not compared with a shadow"),
            };
        }
        catch (Exception exception) when (exception is InvalidDataException or JsonException or FormatException or EndOfStreamException
            or KeyNotFoundException or InvalidOperationException)
        {
            return new([], exception.Message);
        }
    }

    private static ShadowAgreementWithFeedback Segmentation((int[] Shape, Dictionary<string, byte> Values, byte[] Voxels) correction,
        (int[] Shape, Dictionary<string, byte> Values, byte[] Voxels) shadow)
    {
        if (!correction.Shape.SequenceEqual(shadow.Shape))
        {
            return new([], $"the corrected label ({string.Join('×', correction.Shape)}) and the shadow's mask ({string.Join('×', shadow.Shape)}) are on different grids");
        }
        var names = correction.Values.Keys.Union(shadow.Values.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return new([.. names.Select(name => new LabelAgreement(name, Dice(correction.Voxels, correction.Values.GetValueOrDefault(name),
            shadow.Voxels, shadow.Values.GetValueOrDefault(name))))], null);
    }

    private static ShadowAgreementWithFeedback Classification(Dictionary<string, bool> correction, Dictionary<string, bool> shadow) =>
        new([.. correction.Keys.Order(StringComparer.Ordinal).Select(name =>
            new LabelAgreement(name, shadow.TryGetValue(name, out var decided) && decided == correction[name] ? 1 : 0))], null);

    /// <summary>2·|A∩B| / (|A| + |B|) over the voxels marked <paramref name="valueA"/> and <paramref name="valueB"/> (0: none
    /// marked); 1 when neither marks a voxel.</summary>
    public static double Dice(byte[] a, byte valueA, byte[] b, byte valueB)
    {
        long both = 0, inA = 0, inB = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var (x, y) = (valueA != 0 && a[i] == valueA, valueB != 0 && b[i] == valueB);
            inA += x ? 1 : 0;
            inB += y ? 1 : 0;
            both += x && y ? 1 : 0;
        }
        return inA + inB == 0 ? 1 : 2.0 * both / (inA + inB);
    }

    private static (int[] Shape, Dictionary<string, byte> Values, byte[] Voxels) ReadMask(byte[] blob)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (var reader = new TarReader(new MemoryStream(blob)))
        {
            while (reader.GetNextEntry() is { DataStream: { } data } entry)
            {
                using var copy = new MemoryStream();
                data.CopyTo(copy);
                files[entry.Name.TrimStart('.', '/')] = copy.ToArray();
            }
        }
        using var header = JsonDocument.Parse(files.GetValueOrDefault("labels.json") ?? throw new InvalidDataException("a segmentation blob holds no labels.json"));
        var root = header.RootElement;
        var shape = root.GetProperty("shape").EnumerateArray().Select(axis => axis.GetInt32()).ToArray();
        var dataFile = root.TryGetProperty("dataFile", out var named) ? named.GetString() ?? "labels.u8" : "labels.u8";
        var voxels = files.GetValueOrDefault(dataFile) ?? throw new InvalidDataException($"a segmentation blob holds no {dataFile}");
        if (shape.Length != 3 || voxels.LongLength != (long)shape[0] * shape[1] * shape[2])
        {
            throw new InvalidDataException($"a segmentation blob's {dataFile} has {voxels.Length} bytes for shape {string.Join('×', shape)}");
        }
        var values = root.GetProperty("labelNames").EnumerateObject()
            .Where(pair => byte.TryParse(pair.Name, out var value) && value > 0)
            .ToDictionary(pair => pair.Value.GetString() ?? "", pair => byte.Parse(pair.Name, System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);
        return (shape, values, voxels);
    }

    private static Dictionary<string, bool> ReadClasses(byte[] blob)
    {
        using var document = JsonDocument.Parse(blob);
        return document.RootElement.GetProperty("labels").EnumerateObject()
            .ToDictionary(label => label.Name, label => label.Value.GetBoolean(), StringComparer.Ordinal);
    }
}
