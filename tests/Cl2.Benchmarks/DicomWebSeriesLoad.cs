using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Cl2.Benchmarks;

/// <summary>
/// A viewer's load of one series over DICOMweb, as Cornerstone's loader does it: the series' WADO-RS metadata, then frame 1
/// of every instance it lists, <see cref="Parallel"/> requests at a time (a browser's connections per host), each body read
/// to its end. The same load runs against cl2 (direct and through the gateway) and Orthanc's DICOMweb plugin.
/// </summary>
public static class DicomWebSeriesLoad
{
    public const int Parallel = 6;

    /// <summary>Frames as native little endian pixels, which both archives send from an uncompressed instance unchanged.</summary>
    private const string FrameAccept = "multipart/related; type=\"application/octet-stream\"";

    /// <param name="MetadataMs">From the first request to the metadata read and parsed.</param>
    /// <param name="FirstFrameMs">From the first request to the first frame's body read.</param>
    /// <param name="TotalMs">From the first request to the last frame's body read.</param>
    public sealed record Timing(double MetadataMs, double FirstFrameMs, double TotalMs, long Bytes);

    /// <param name="root">The DICOMweb root, ending in '/' (cl2: <c>…/dicomweb/</c>, Orthanc: <c>…/dicom-web/</c>).</param>
    public static async Task<Timing> RunAsync(HttpClient http, Uri root, string study, string series, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var seriesPath = $"studies/{study}/series/{series}";
        using var metadataRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(root, $"{seriesPath}/metadata"));
        metadataRequest.Headers.Accept.ParseAdd("application/dicom+json");
        using var metadataResponse = await http.SendAsync(metadataRequest, cancellationToken);
        var metadata = await metadataResponse.Content.ReadAsByteArrayAsync(cancellationToken);
        Check(metadataResponse, metadataRequest.RequestUri!);
        var instances = JsonDocument.Parse(metadata).RootElement.EnumerateArray()
            .Select(item => item.GetProperty("00080018").GetProperty("Value")[0].GetString()!).ToList();
        var metadataMs = clock.Elapsed.TotalMilliseconds;
        var firstFrameMs = double.NaN;
        long bytes = metadata.Length;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Parallel).Select(async _ =>
        {
            for (var index = Interlocked.Increment(ref next); index < instances.Count; index = Interlocked.Increment(ref next))
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(root, $"{seriesPath}/instances/{instances[index]}/frames/1"));
                request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(FrameAccept));
                using var response = await http.SendAsync(request, cancellationToken);
                var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                Check(response, request.RequestUri!);
                var at = clock.Elapsed.TotalMilliseconds;
                lock (instances)
                {
                    firstFrameMs = double.IsNaN(firstFrameMs) ? at : Math.Min(firstFrameMs, at);
                    bytes += body.Length;
                }
            }
        }));
        if (instances.Count == 0)
        {
            throw new InvalidOperationException($"the metadata of series {series} at {root} lists no instance");
        }
        return new Timing(metadataMs, firstFrameMs, clock.Elapsed.TotalMilliseconds, bytes);
    }

    private static void Check(HttpResponseMessage response, Uri url)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode}");
        }
    }
}
