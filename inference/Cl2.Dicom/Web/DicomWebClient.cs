using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;

namespace Cl2.Dicom.Web;

/// <summary>
/// A DICOMweb client (PS3.18): QIDO-RS searches, WADO-RS retrieval (instances, metadata, frames, rendered) and STOW-RS
/// uploads. <paramref name="http"/>'s BaseAddress is the service root, ending in '/' (e.g. <c>http://pacs/dicom-web/</c>).
/// Instances and frames are streamed part by part: nothing holds a whole study in memory unless the caller does.
/// </summary>
public sealed class DicomWebClient(HttpClient http)
{
    // ---- QIDO-RS (PS3.18 §10.6) ----

    public Task<IReadOnlyList<DicomDataset>> SearchStudiesAsync(QidoQuery? query = null, CancellationToken cancellationToken = default) =>
        SearchAsync("studies", query, cancellationToken);

    /// <summary>Series of one study, or of all studies when <paramref name="studyInstanceUid"/> is null.</summary>
    public Task<IReadOnlyList<DicomDataset>> SearchSeriesAsync(string? studyInstanceUid = null, QidoQuery? query = null,
        CancellationToken cancellationToken = default) =>
        SearchAsync(studyInstanceUid is null ? "series" : $"studies/{Escape(studyInstanceUid)}/series", query, cancellationToken);

    public Task<IReadOnlyList<DicomDataset>> SearchInstancesAsync(string? studyInstanceUid = null, string? seriesInstanceUid = null,
        QidoQuery? query = null, CancellationToken cancellationToken = default)
    {
        var path = (studyInstanceUid, seriesInstanceUid) switch
        {
            (null, _) => "instances",
            (_, null) => $"studies/{Escape(studyInstanceUid)}/instances",
            _ => $"studies/{Escape(studyInstanceUid)}/series/{Escape(seriesInstanceUid)}/instances",
        };
        return SearchAsync(path, query, cancellationToken);
    }

    private async Task<IReadOnlyList<DicomDataset>> SearchAsync(string path, QidoQuery? query, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path + (query ?? new QidoQuery()).ToQueryString(), UriKind.Relative));
        request.Headers.Accept.ParseAdd(DicomMediaTypes.DicomJson);
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return []; // PS3.18 §10.6.3: no matches may be 204 with no body.
        }
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            return await DicomJsonReader.ReadArrayAsync(body, cancellationToken).ConfigureAwait(false);
        }
    }

    // ---- WADO-RS (PS3.18 §10.4) ----

    /// <summary>The Part 10 bytes of every instance of a study, series or instance, as the server sends them, part by part.</summary>
    public async IAsyncEnumerable<byte[]> RetrieveAsync(string studyInstanceUid, string? seriesInstanceUid = null, string? sopInstanceUid = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var part in RetrievePartsAsync(ResourcePath(studyInstanceUid, seriesInstanceUid, sopInstanceUid),
            DicomMediaTypes.AcceptMultipart(DicomMediaTypes.Dicom, "*"), cancellationToken).ConfigureAwait(false))
        {
            yield return await part.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<byte[]> RetrieveInstanceAsync(string studyInstanceUid, string seriesInstanceUid, string sopInstanceUid,
        CancellationToken cancellationToken = default)
    {
        byte[]? instance = null;
        await foreach (var bytes in RetrieveAsync(studyInstanceUid, seriesInstanceUid, sopInstanceUid, cancellationToken).ConfigureAwait(false))
        {
            instance ??= bytes;
        }
        return instance ?? throw new DicomWebException($"the server answered with no part for instance {sopInstanceUid}");
    }

    /// <summary>
    /// The parts of a multipart/related WADO-RS response, streamed: read each part's body before moving to the next.
    /// <paramref name="path"/> is relative to the service root.
    /// </summary>
    public async IAsyncEnumerable<MultipartPart> RetrievePartsAsync(string path, string accept,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.TryAddWithoutValidation("Accept", accept);
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        var contentType = response.Content.Headers.ContentType?.ToString()
            ?? throw new DicomWebException(response.StatusCode, $"GET {path} answered without a Content-Type; expected multipart/related");
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            using var reader = MultipartRelatedReader.Create(body, contentType);
            while (await reader.ReadNextPartAsync(cancellationToken).ConfigureAwait(false) is { } part)
            {
                yield return part;
            }
        }
    }

    /// <summary>The metadata (DICOM JSON, bulk data by URI) of every instance of a study, series or instance.</summary>
    public async Task<IReadOnlyList<DicomDataset>> RetrieveMetadataAsync(string studyInstanceUid, string? seriesInstanceUid = null,
        string? sopInstanceUid = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get,
            new Uri(ResourcePath(studyInstanceUid, seriesInstanceUid, sopInstanceUid) + "/metadata", UriKind.Relative));
        request.Headers.Accept.ParseAdd(DicomMediaTypes.DicomJson);
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            return await DicomJsonReader.ReadArrayAsync(body, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Frames (1-based numbers) as the server stores them when <paramref name="transferSyntax"/> is "*" (the default),
    /// or in the given transfer syntax; uncompressed frames are the raw pixel bytes of each frame.
    /// </summary>
    public async Task<IReadOnlyList<byte[]>> RetrieveFramesAsync(string studyInstanceUid, string seriesInstanceUid, string sopInstanceUid,
        IReadOnlyList<int> frameNumbers, string transferSyntax = "*", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frameNumbers);
        var path = $"{ResourcePath(studyInstanceUid, seriesInstanceUid, sopInstanceUid)}/frames/{string.Join(',', frameNumbers)}";
        var frames = new List<byte[]>();
        await foreach (var part in RetrievePartsAsync(path, DicomMediaTypes.AcceptMultipart(DicomMediaTypes.OctetStream, transferSyntax), cancellationToken)
            .ConfigureAwait(false))
        {
            frames.Add(await part.ReadAllAsync(cancellationToken).ConfigureAwait(false));
        }
        return frames;
    }

    /// <summary>A rendered (consumer-ready) image of an instance or one of its frames, e.g. image/png or image/jpeg.</summary>
    public async Task<(string ContentType, byte[] Content)> RetrieveRenderedAsync(string studyInstanceUid, string seriesInstanceUid,
        string sopInstanceUid, int? frameNumber = null, string accept = DicomMediaTypes.Png, CancellationToken cancellationToken = default)
    {
        var path = ResourcePath(studyInstanceUid, seriesInstanceUid, sopInstanceUid) + (frameNumber is { } frame ? $"/frames/{frame}" : "") + "/rendered";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Accept.ParseAdd(accept);
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return (response.Content.Headers.ContentType?.MediaType ?? "", await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
    }

    // ---- STOW-RS (PS3.18 §10.5) ----

    /// <summary>
    /// Stores Part 10 instances in one multipart/related request (optionally into one study). The server's verdict per
    /// instance is in the answer; an HTTP error without a DICOM JSON body throws <see cref="DicomWebException"/>.
    /// </summary>
    public async Task<StowResponse> StoreAsync(IEnumerable<MultipartRelatedPart> instances, string? studyInstanceUid = null,
        CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post,
            new Uri(studyInstanceUid is null ? "studies" : $"studies/{Escape(studyInstanceUid)}", UriKind.Relative))
        {
            Content = new MultipartRelatedContent(instances),
        };
        request.Headers.Accept.ParseAdd(DicomMediaTypes.DicomJson);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var isJson = response.Content.Headers.ContentType?.MediaType is DicomMediaTypes.DicomJson or "application/json";
        if (!isJson || string.IsNullOrWhiteSpace(text))
        {
            if (response.IsSuccessStatusCode)
            {
                return new StowResponse(response.StatusCode, [], [], new DicomDataset());
            }
            throw Failure(request, response.StatusCode, text);
        }
        return StowResponse.FromDataset(response.StatusCode, DicomJsonReader.Parse(text));
    }

    public Task<StowResponse> StoreFilesAsync(IEnumerable<string> paths, string? studyInstanceUid = null, CancellationToken cancellationToken = default) =>
        StoreAsync(paths.Select(path => MultipartRelatedPart.FromFile(path)), studyInstanceUid, cancellationToken);

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw Failure(request, response.StatusCode, text);
        }
    }

    private static DicomWebException Failure(HttpRequestMessage request, HttpStatusCode status, string body) =>
        new(status, $"{request.Method} {request.RequestUri} answered {(int)status} {status}"
            + (string.IsNullOrWhiteSpace(body) ? "" : $": {(body.Length > 500 ? body[..500] + "…" : body)}"));

    private static string ResourcePath(string studyInstanceUid, string? seriesInstanceUid, string? sopInstanceUid)
    {
        ArgumentException.ThrowIfNullOrEmpty(studyInstanceUid);
        var path = $"studies/{Escape(studyInstanceUid)}";
        if (seriesInstanceUid is not null)
        {
            path += $"/series/{Escape(seriesInstanceUid)}";
            if (sopInstanceUid is not null)
            {
                path += $"/instances/{Escape(sopInstanceUid)}";
            }
        }
        else if (sopInstanceUid is not null)
        {
            throw new ArgumentException("an instance is addressed within its series: give the Series Instance UID too", nameof(seriesInstanceUid));
        }
        return path;
    }

    private static string Escape(string uid) => Uri.EscapeDataString(uid.Trim());
}
