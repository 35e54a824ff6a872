using System.Net;
using Cl2.Dicom.Web;

namespace Cl2.Labeling.Tests.Archive;

/// <summary>A WADO-RS answer read part by part: what a client with its own Accept header sees.</summary>
internal sealed record WadoAnswer(HttpStatusCode Status, string ContentType, IReadOnlyList<(string ContentType, byte[] Body)> Parts, string Text);

internal static class WadoHttp
{
    public static async Task<WadoAnswer> GetAsync(HttpClient http, string url, string? accept, string? range = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, UriKind.RelativeOrAbsolute));
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }
        if (range is not null)
        {
            request.Headers.TryAddWithoutValidation("Range", range);
        }
        using var response = await http.SendAsync(request);
        var contentType = response.Content.Headers.ContentType?.ToString() ?? "";
        var body = await response.Content.ReadAsByteArrayAsync();
        if (!contentType.StartsWith(DicomMediaTypes.MultipartRelated, StringComparison.OrdinalIgnoreCase))
        {
            var text = System.Text.Encoding.UTF8.GetString(body);
            if (contentType.StartsWith("application/problem+json", StringComparison.Ordinal))
            {
                text = System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!; // the words a client shows
            }
            return new WadoAnswer(response.StatusCode, contentType, [(contentType, body)], text);
        }
        var parts = new List<(string, byte[])>();
        using var reader = MultipartRelatedReader.Create(new MemoryStream(body), contentType);
        while (await reader.ReadNextPartAsync() is { } part)
        {
            parts.Add((part.ContentType, await part.ReadAllAsync()));
        }
        return new WadoAnswer(response.StatusCode, contentType, parts, "");
    }

    public static string Accept(string type, string? transferSyntax = null) => DicomMediaTypes.AcceptMultipart(type, transferSyntax);
}
