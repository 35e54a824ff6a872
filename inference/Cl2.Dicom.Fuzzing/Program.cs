using SharpFuzz;

namespace Cl2.Dicom.Fuzzing;

/// <summary>
/// Entry point for fuzzing Cl2.Dicom (docs/fuzzing.md). With no arguments it is an AFL++ target (stdin or the shared-memory
/// harness); <c>--libfuzzer</c> runs it under libFuzzer's driver; <c>--replay PATH...</c> runs files or folders once,
/// uninstrumented, to reproduce a crash with a readable stack trace.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--replay")
        {
            return Replay(args.Skip(1));
        }
        if (args.Length > 0 && args[0] == "--libfuzzer")
        {
            Fuzzer.LibFuzzer.Run(span =>
            {
                using var stream = new MemoryStream(span.ToArray(), writable: false);
                FuzzTarget.Run(stream);
            });
            return 0;
        }
        Fuzzer.OutOfProcess.Run(FuzzTarget.Run);
        return 0;
    }

    private static int Replay(IEnumerable<string> paths)
    {
        var files = paths.SelectMany(path => Directory.Exists(path) ? Directory.EnumerateFiles(path) : [path]).ToArray();
        foreach (var file in files)
        {
            using var stream = File.OpenRead(file);
            FuzzTarget.Run(stream);
        }
        Console.WriteLine($"replayed {files.Length} inputs without an untyped exception");
        return 0;
    }
}
