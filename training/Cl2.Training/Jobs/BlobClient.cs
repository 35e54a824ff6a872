using System.Net.Http.Json;

namespace Cl2.Training.Jobs;

/// <summary>Labeling's content-addressed blob store (docs/archive.md): checkpoints go up as files and come back by digest.</summary>
public sealed class BlobClient(HttpClient http)
{
    /// <returns>The blob's name, <c>sha256:&lt;hex&gt;</c>.</returns>
    public async Task<string> UploadAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        using var content = new StreamContent(file);
        content.Headers.ContentType = new("application/octet-stream");
        using var response = await http.PostAsync("blobs", content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"labeling refused the upload of {path} ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
        var stored = await response.Content.ReadFromJsonAsync<StoredBlob>(cancellationToken);
        return stored?.Digest ?? throw new InvalidDataException("labeling answered an upload without a digest.");
    }

    public async Task DownloadAsync(string digest, string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"blobs/{digest}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"blob {digest} could not be fetched from labeling ({(int)response.StatusCode}).");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await using var file = File.Create(path);
        await response.Content.CopyToAsync(file, cancellationToken);
    }

    public async Task<byte[]> ReadAsync(string digest, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"blobs/{digest}", cancellationToken);
        return response.IsSuccessStatusCode
            ? await response.Content.ReadAsByteArrayAsync(cancellationToken)
            : throw new HttpRequestException($"blob {digest} could not be fetched from labeling ({(int)response.StatusCode}).", null, response.StatusCode);
    }

    private sealed record StoredBlob(string Digest, long Length);
}
