using System.Text;
using static TorchSharp.torch;

namespace Cl2.Models.Datasets;

/// <summary>
/// The compact on-disk form of a <see cref="PreparedCase"/> in the case cache: a header (format, shapes, spacing),
/// the image as float16 (normalised intensities need no more: half the bytes of float32) and a class-index target as
/// one byte per voxel (a classification target as float32). Written to a temporary name and moved into place, so a
/// reader never sees half a file.
/// </summary>
public static class CaseFile
{
    private const string Format = "cl2-prepared-case/1";

    public static void Write(string path, PreparedCase item)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var partial = $"{path}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.partial";
        using (var stream = File.Create(partial))
        using (var writer = new BinaryWriter(stream, Encoding.UTF8))
        {
            using var scope = NewDisposeScope();
            writer.Write(Format);
            WriteShape(writer, item.Image.shape);
            WriteShape(writer, item.Target.shape);
            writer.Write(item.Spacing.Count);
            foreach (var value in item.Spacing)
            {
                writer.Write(value);
            }
            var classes = item.Target.dtype == ScalarType.Int64;
            writer.Write(classes);
            writer.Write(item.Image.to_type(ScalarType.Float16).contiguous().bytes);
            writer.Write((classes ? item.Target.to_type(ScalarType.Byte) : item.Target.to_type(ScalarType.Float32)).contiguous().bytes);
        }
        File.Move(partial, path, overwrite: true);
    }

    public static PreparedCase Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        var format = reader.ReadString();
        if (format != Format)
        {
            throw new InvalidDataException($"{path} is '{format}', not a {Format} file; delete the cache folder to rebuild it.");
        }
        var imageShape = ReadShape(reader);
        var targetShape = ReadShape(reader);
        var spacing = Enumerable.Range(0, reader.ReadInt32()).Select(_ => reader.ReadDouble()).ToArray();
        var classes = reader.ReadBoolean();
        using var scope = NewDisposeScope();
        var image = Load(reader, imageShape, ScalarType.Float16, 2).to_type(ScalarType.Float32);
        var target = classes
            ? Load(reader, targetShape, ScalarType.Byte, 1).to_type(ScalarType.Int64)
            : Load(reader, targetShape, ScalarType.Float32, 4);
        return new PreparedCase(image.MoveToOuterDisposeScope(), target.MoveToOuterDisposeScope(), spacing);
    }

    /// <summary>The image's shape (C×spatial) and spacing, read from the header only.</summary>
    public static (long[] Shape, IReadOnlyList<double> Spacing) ReadHeader(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        if (reader.ReadString() != Format)
        {
            throw new InvalidDataException($"{path} is not a {Format} file; delete the cache folder to rebuild it.");
        }
        var shape = ReadShape(reader);
        ReadShape(reader);
        return (shape, Enumerable.Range(0, reader.ReadInt32()).Select(_ => reader.ReadDouble()).ToArray());
    }

    private static Tensor Load(BinaryReader reader, long[] shape, ScalarType type, int elementSize)
    {
        var count = shape.Aggregate(1L, (product, extent) => product * extent);
        var bytes = reader.ReadBytes(checked((int)(count * elementSize)));
        if (bytes.Length != count * elementSize)
        {
            throw new InvalidDataException($"a cached case ends early ({bytes.Length} of {count * elementSize} bytes); delete the cache folder to rebuild it.");
        }
        var result = empty(shape, type);
        result.bytes = bytes;
        return result;
    }

    private static void WriteShape(BinaryWriter writer, long[] shape)
    {
        writer.Write(shape.Length);
        foreach (var extent in shape)
        {
            writer.Write(extent);
        }
    }

    private static long[] ReadShape(BinaryReader reader) => Enumerable.Range(0, reader.ReadInt32()).Select(_ => reader.ReadInt64()).ToArray();
}
