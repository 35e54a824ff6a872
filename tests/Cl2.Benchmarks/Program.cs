using Cl2.Benchmarks;

IReadOnlyDictionary<string, Func<string[], Task<int>>> benchmarks = new Dictionary<string, Func<string[], Task<int>>>
{
    ["dicom-parse"] = DicomParseBenchmark.RunAsync,
    ["e2e"] = E2EBenchmark.RunAsync,
    ["graphql"] = GraphQLBenchmark.RunAsync,
    ["ingest"] = IngestBenchmark.RunAsync,
    ["ingest-kill"] = IngestKillBenchmark.RunAsync,
    ["learning-curve"] = LearningCurveBenchmark.RunAsync,
    ["scale"] = ScaleBenchmark.RunAsync,
    ["train"] = TrainBenchmark.RunAsync,
    ["viewer"] = ViewerBenchmark.RunAsync,
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var benchmark))
{
    Console.Error.WriteLine($"usage: ./cl2 bench <{string.Join('|', benchmarks.Keys)}>");
    return 2;
}
return await benchmark(args[1..]);
